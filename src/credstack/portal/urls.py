from django.urls import path

from . import views

urlpatterns = [
    path(".well-known/did.json", views.platform_did, name="platform-did"),
    path("me/", views.portfolio, name="portal"),
    path("me/login", views.login, name="portal-login"),
    path("me/login/code", views.login_code, name="portal-code"),
    path("me/logout", views.logout, name="portal-logout"),
    path("me/o/<slug:slug>/", views.org_entry, name="portal-org"),
    path("me/portfolio", views.portfolio_editor, name="portal-portfolio"),
    path("me/emails", views.emails, name="portal-emails"),
    path("me/export.zip", views.export_zip, name="portal-export"),
    path("me/delete", views.delete, name="portal-delete"),
    path("me/c/<str:public_id>/visibility", views.visibility, name="portal-visibility"),
    path("me/c/<str:public_id>/share/<str:channel>", views.shared, name="portal-share"),
]
