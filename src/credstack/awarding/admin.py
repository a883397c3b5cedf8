from django.contrib import admin

from .models import DataRule, Fulfillment, Progress, Requirement


class DataRuleInline(admin.TabularInline):
    model = DataRule
    extra = 1


@admin.register(Requirement)
class RequirementAdmin(admin.ModelAdmin):
    list_display = ("achievement", "event_type", "course", "organization")
    list_filter = ("event_type",)
    inlines = [DataRuleInline]


@admin.register(Progress)
class ProgressAdmin(admin.ModelAdmin):
    list_display = ("email", "achievement", "started_at", "completed_at", "credential")
    search_fields = ("email",)
    readonly_fields = ("credential",)


admin.site.register(Fulfillment)
