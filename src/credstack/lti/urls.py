from django.urls import path

from . import views

urlpatterns = [
    path("lti/login", views.login, name="lti-login"),
    path("lti/launch", views.launch, name="lti-launch"),
    path("lti/jwks", views.jwks, name="lti-jwks"),
    path("lti/open/<str:ticket>", views.continue_launch, name="lti-open"),
    path("lti/deep-link/<str:pick>", views.deep_link_choose, name="lti-deep-link"),
    path("lti/register/<str:token>", views.dynamic_registration, name="lti-register"),
]
