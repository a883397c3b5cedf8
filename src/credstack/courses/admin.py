from django.contrib import admin

from .models import Course, CourseVersion


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin):
    list_display = ("title", "organization", "status", "achievement", "updated_at")
    list_filter = ("status",)
    search_fields = ("title", "slug")


@admin.register(CourseVersion)
class CourseVersionAdmin(admin.ModelAdmin):
    list_display = ("course", "number", "published_at")
    readonly_fields = ("course", "number", "content", "published_at", "published_by")
