from django.contrib import admin

from .models import Credential, CredentialEvent


class EventInline(admin.TabularInline):
    model = CredentialEvent
    fields = ("at", "kind", "actor", "note")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Credential)
class CredentialAdmin(admin.ModelAdmin):
    """Read-only here: state changes go through the actions (CLI now, the workspace later)."""

    list_display = ("public_id", "recipient_name", "recipient_email", "achievement", "state", "issued_at")
    list_filter = ("state", "organization", "achievement")
    search_fields = ("public_id", "recipient_name", "recipient_email")
    readonly_fields = [f.name for f in Credential._meta.fields]
    inlines = [EventInline]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
