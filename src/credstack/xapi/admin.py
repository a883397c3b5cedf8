from django.contrib import admin

from .models import Statement


@admin.register(Statement)
class StatementAdmin(admin.ModelAdmin):
    list_display = ("statement_id", "verb", "created_at", "sent_at", "attempts", "next_try_at")
    list_filter = ("verb",)
    readonly_fields = ("statement_id", "payload", "last_error")
