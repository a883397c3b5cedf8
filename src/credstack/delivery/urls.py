from django.urls import path

from . import views

urlpatterns = [
    path("d/<str:token>/open.gif", views.open_pixel, name="delivery-open"),
    path("d/<str:token>/go/<str:target>", views.click, name="delivery-click"),
    path("hooks/mail/<str:secret>", views.mail_report, name="delivery-mail-report"),
    path("w/<slug:org_slug>/email-templates/", views.template_list, name="delivery-templates"),
    path("w/<slug:org_slug>/email-templates/<str:kind>/", views.template_edit, name="delivery-template-edit"),
    path(
        "w/<slug:org_slug>/email-templates/<str:kind>/<str:achievement_id>/",
        views.template_edit,
        name="delivery-template-edit-achievement",
    ),
]
