"""Outbound webhook endpoints in the workspace, under ``/w/<org_slug>/developers/webhooks/``."""

from django.urls import path

from . import views

app_name = "webhooks"

urlpatterns = [
    path("new", views.endpoint_create, name="create"),
    path("<str:public_id>/", views.endpoint_detail, name="detail"),
    path("<str:public_id>/test", views.endpoint_test, name="test"),
    path("<str:public_id>/rotate", views.endpoint_rotate, name="rotate"),
    path("<str:public_id>/rotate/end-overlap", views.endpoint_end_overlap, name="end_overlap"),
    path("<str:public_id>/enable", views.endpoint_enable, name="enable"),
    path("<str:public_id>/disable", views.endpoint_disable, name="disable"),
    path("<str:public_id>/delete", views.endpoint_delete, name="delete"),
    path("<str:public_id>/deliveries/", views.deliveries, name="deliveries"),
    path("<str:public_id>/deliveries/redeliver-failed", views.redeliver_failed, name="redeliver_failed"),
    path("<str:public_id>/deliveries/<str:msg_id>/redeliver", views.redeliver, name="redeliver"),
]
