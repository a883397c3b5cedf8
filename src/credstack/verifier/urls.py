from django.urls import path

from . import views
from .api import api

urlpatterns = [
    path("verify", views.verify_page, name="verify"),
    path("verify/api/", api.urls),
]
