from django.urls import path

from . import views

app_name = "pathways"

urlpatterns = [
    path("", views.pathway_list, name="list"),
    path("new", views.pathway_new, name="new"),
    path("<str:public_id>/", views.pathway_detail, name="detail"),
]
