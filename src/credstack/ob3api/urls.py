from django.urls import path

from . import views

urlpatterns = [
    path("ims/ob/v3p0/discovery", views.discovery, name="ob3-discovery"),
    path("ims/ob/v3p0/oauth/register", views.register, name="ob3-register"),
    path("ims/ob/v3p0/oauth/authorize", views.authorize, name="ob3-authorize"),
    path("ims/ob/v3p0/oauth/token", views.token, name="ob3-token"),
    path("ims/ob/v3p0/oauth/revoke", views.revoke, name="ob3-revoke"),
    path("ims/ob/v3p0/credentials", views.credentials, name="ob3-credentials"),
    path("ims/ob/v3p0/profile", views.profile, name="ob3-profile"),
    path("ims/ob/v3p0/image.svg", views.image, name="ob3-image"),
    path("terms", views.terms, name="ob3-terms"),
    path("privacy", views.privacy, name="ob3-privacy"),
]
