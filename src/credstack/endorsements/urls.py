from django.urls import path

from . import views

urlpatterns = [
    path("endorse/<str:token>", views.endorse_page, name="endorse"),
    path("endorsements/<str:public_id>", views.endorsement_document, name="endorsement"),
]
