from django.contrib import admin

from .models import Pathway, PathwayAward


@admin.register(Pathway)
class PathwayAdmin(admin.ModelAdmin):
    list_display = ("achievement", "organization", "rule", "required_count", "ordered", "revocation_policy")


@admin.register(PathwayAward)
class PathwayAwardAdmin(admin.ModelAdmin):
    list_display = ("pathway", "email", "credential", "suspended_by_policy")
    readonly_fields = ("credential", "components")
