from django.urls import path

from . import views

app_name = "courses"

urlpatterns = [
    path("", views.course_list, name="list"),
    path("new", views.course_new, name="new"),
    path("<str:public_id>/", views.course_edit, name="edit"),
    path("<str:public_id>/publish", views.publish, name="publish"),
    path("<str:public_id>/enrolment/<str:action>", views.enrolment, name="enrolment"),
    path("<str:public_id>/lessons/new", views.lesson_new, name="lesson-new"),
    path("<str:public_id>/lessons/<str:lesson_id>/", views.lesson_edit, name="lesson"),
    path("<str:public_id>/lessons/<str:lesson_id>/<str:action>", views.lesson_action, name="lesson-action"),
    path(
        "<str:public_id>/lessons/<str:lesson_id>/questions/<int:question_id>/<str:action>",
        views.question_action,
        name="question-action",
    ),
]
