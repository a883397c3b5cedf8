from django.urls import path

from . import workspace_views

app_name = "lti"

urlpatterns = [
    path("", workspace_views.platform_list, name="platforms"),
    path("<str:public_id>/remove", workspace_views.platform_remove, name="remove"),
]
