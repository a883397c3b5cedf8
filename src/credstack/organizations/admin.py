from django.contrib import admin

from .models import Organization, SigningKey


class SigningKeyInline(admin.TabularInline):
    model = SigningKey
    fields = ("fragment", "public_multibase", "active", "created_at", "retired_at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "url", "created_at")
    search_fields = ("name", "slug")
    inlines = [SigningKeyInline]
