from django.contrib import admin

from .models import Achievement


@admin.register(Achievement)
class AchievementAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "organization", "achievement_type", "valid_for_months")
    list_filter = ("organization", "achievement_type")
    search_fields = ("name", "slug")
