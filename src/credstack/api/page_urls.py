"""The Developers page of the workspace, under ``/w/<org_slug>/developers/``."""

from django.urls import path

from . import pages

app_name = "developers"

urlpatterns = [
    path("", pages.developers, name="home"),
    path("keys/new", pages.key_create, name="key-create"),
    path("keys/<str:prefix>/revoke", pages.key_revoke, name="key-revoke"),
]
