from django.urls import path

from . import views

urlpatterns = [
    path("lti/login", views.login, name="lti-login"),
    path("lti/launch", views.launch, name="lti-launch"),
    path("lti/jwks", views.jwks, name="lti-jwks"),
]
