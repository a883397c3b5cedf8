from django.urls import path

from . import views

urlpatterns = [
    path("c/<str:public_id>/ob2", views.assertion, name="ob2-assertion"),
    path("a/<str:public_id>/ob2", views.badge_class, name="ob2-badgeclass"),
    path("a/<str:public_id>/ob2/image.png", views.badge_class_image, name="ob2-badgeclass-image"),
    path("orgs/<slug:slug>/ob2", views.issuer, name="ob2-issuer"),
]
