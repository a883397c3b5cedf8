from django.urls import path

from . import views

app_name = "endorsements"
urlpatterns = [
    path("", views.requests_page, name="requests"),
    path("<str:public_id>/revoke", views.revoke, name="revoke"),
]
