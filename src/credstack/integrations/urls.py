from django.urls import path

from . import views

app_name = "integrations"

urlpatterns = [
    path("", views.endpoint_list, name="list"),
    path("<str:public_id>/", views.endpoint_detail, name="detail"),
    path("<str:public_id>/preview", views.endpoint_preview, name="preview"),
    path("<str:public_id>/rotate", views.endpoint_rotate, name="rotate"),
    path("<str:public_id>/delete", views.endpoint_delete, name="delete"),
    path("<str:public_id>/events/", views.endpoint_events, name="events"),
    path("<str:public_id>/events/<str:event_id>/replay", views.event_replay, name="replay"),
]
