from django.contrib import admin

from .models import Account, AccountEmail


class AccountEmailInline(admin.TabularInline):
    model = AccountEmail
    extra = 0
    readonly_fields = ("email", "normalized", "verified_at")


@admin.register(Account)
class AccountAdmin(admin.ModelAdmin):
    list_display = ("public_id", "created_at", "last_login_at")
    inlines = [AccountEmailInline]
