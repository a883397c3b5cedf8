"""URLs for ``benchmarks/serve.py``: credstack's own, plus ``/bare``, a bare Django view (the same
middleware, no database, no template) that the public page is compared with in the same run."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from credstack.config.urls import urlpatterns as credstack_urls


def bare(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("bare", bare), *credstack_urls]
