"""The educator's pages about a course's learners, included under /w/<org_slug>/courses/ beside the
course editor's own URLs (``credstack.courses.urls``)."""

from django.urls import path

from . import educator_views as views

app_name = "learners"

urlpatterns = [
    path("<str:public_id>/invite", views.invite, name="invite"),
    path("<str:public_id>/analytics", views.analytics, name="analytics"),
    path(
        "<str:public_id>/learners/<str:enrolment_id>/reset/<str:lesson_key>",
        views.reset_attempts,
        name="reset-attempts",
    ),
    path("<str:public_id>/learners.csv", views.export_csv, name="csv"),
]
