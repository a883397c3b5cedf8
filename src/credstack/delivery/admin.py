from django.contrib import admin

from .models import Delivery, EmailTemplate


@admin.register(EmailTemplate)
class EmailTemplateAdmin(admin.ModelAdmin):
    list_display = ("organization", "achievement", "kind", "subject", "updated_at")


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ("credential", "kind", "state", "to", "sent_at", "opened_at", "clicked_at")
    list_filter = ("state", "kind")
    readonly_fields = [f.name for f in Delivery._meta.fields]
