from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from credstack.organizations.models import Organization


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    orgs = Organization.objects.annotate(n_credentials=Count("credentials")).order_by("name")[:50]
    return render(request, "web/home.html", {"orgs": orgs})


@require_safe
def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")
