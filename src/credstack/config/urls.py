from django.contrib import admin
from django.urls import path

from credstack.achievements import views as achievement_views
from credstack.credentials import views as credential_views
from credstack.web import views as web_views

urlpatterns = [
    path("", web_views.home, name="home"),
    path("healthz", web_views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("c/<str:public_id>.json", credential_views.credential_download, name="credential-json"),
    path("c/<str:public_id>", credential_views.credential_page, name="credential"),
    path("a/<str:public_id>", achievement_views.achievement_page, name="achievement"),
    path("orgs/<slug:slug>/did.json", credential_views.did_json, name="did-json"),
    path("status/<str:public_id>/<str:purpose>", credential_views.status_list, name="status-list"),
]
