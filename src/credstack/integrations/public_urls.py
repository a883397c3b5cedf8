from django.urls import path

from . import views

urlpatterns = [path("hooks/in/<str:token>", views.receive, name="inbound-receive")]
