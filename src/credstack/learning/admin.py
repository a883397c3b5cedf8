from django.contrib import admin

from .models import Enrolment, Learner


@admin.register(Learner)
class LearnerAdmin(admin.ModelAdmin):
    list_display = ("email", "name", "created_at")
    search_fields = ("email", "name")


@admin.register(Enrolment)
class EnrolmentAdmin(admin.ModelAdmin):
    list_display = ("learner", "course", "status", "last_activity_at", "average_score")
    list_filter = ("status",)
    search_fields = ("learner__email",)
    readonly_fields = ("credential",)
