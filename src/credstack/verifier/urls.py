from django.urls import path

from . import portfolio_views, views
from .api import api

urlpatterns = [
    path("verify", views.verify_page, name="verify"),
    path("verify/api/", api.urls),
    # a learner's public portfolio (decision 0041)
    path("p/<str:slug>", portfolio_views.portfolio_page, name="portfolio-public"),
    path("p/<str:slug>/verify", portfolio_views.portfolio_verify, name="portfolio-verify"),
    path("p/<str:slug>/clr.json", portfolio_views.portfolio_clr, name="portfolio-clr"),
    path("p/<str:slug>/qr.svg", portfolio_views.portfolio_qr, name="portfolio-qr"),
]
