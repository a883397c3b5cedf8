from django.urls import path

from . import views

app_name = "learning"

urlpatterns = [
    path("", views.mine, name="mine"),
    path("sign-in", views.login, name="login"),
    path("sign-out", views.logout, name="logout"),
    path("files/<str:public_id>/<str:name>", views.attachment, name="attachment"),
    path("covers/<str:public_id>", views.cover, name="cover"),
    path("reminders/off/<str:token>", views.reminders_off, name="reminders-off"),
    path("<slug:org_slug>/<slug:course_slug>", views.course_page, name="course"),
    path("<slug:org_slug>/<slug:course_slug>/enrol", views.enrol, name="enrol"),
    path("<slug:org_slug>/<slug:course_slug>/complete", views.complete, name="complete"),
    path("<slug:org_slug>/<slug:course_slug>/retake", views.retake, name="retake"),
    path("<slug:org_slug>/<slug:course_slug>/review", views.review, name="review"),
    path("<slug:org_slug>/<slug:course_slug>/reminders", views.reminders, name="reminders"),
    path("<slug:org_slug>/<slug:course_slug>/lessons/<str:lesson_key>", views.lesson, name="lesson"),
    path(
        "<slug:org_slug>/<slug:course_slug>/lessons/<str:lesson_key>/read",
        views.lesson_read,
        name="lesson-read",
    ),
    path("<slug:org_slug>/<slug:course_slug>/lessons/<str:lesson_key>/quiz", views.quiz, name="quiz"),
    path(
        "<slug:org_slug>/<slug:course_slug>/lessons/<str:lesson_key>/ping",
        views.lesson_ping,
        name="lesson-ping",
    ),
]
