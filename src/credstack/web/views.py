import sys

from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.html import escape
from django.views.decorators.http import require_safe

from credstack.organizations.models import Organization
from credstack.ui.problems import problem_response
from credstack.ui.storage import storage_failure


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    orgs = Organization.objects.annotate(n_credentials=Count("credentials")).order_by("name")[:50]
    return render(request, "web/home.html", {"orgs": orgs})


@require_safe
def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


JSON_PREFIXES = ("/api/", "/hooks/", "/ims/", "/verify/api", "/lti/")


def server_error(request: HttpRequest) -> HttpResponse:
    """``handler500``: Django has logged the error with its traceback (``django.request``) before calling
    this. A write the storage refused (full disk, read-only home) says so: 507, what happened and what to
    do; any other error stays a plain 500. JSON endpoints answer with a problem document."""
    why = storage_failure(sys.exc_info()[1])
    status = 507 if why else 500
    title = "Insufficient storage" if why else "Server error"
    detail = (
        f"This could not be saved: {why}. Nothing is done twice if you retry (API clients: with the same "
        "Idempotency-Key) once the server's administrator has freed space."
        if why
        else "Something went wrong on the server; the error is logged. Try again later."
    )
    wants_json = request.path.startswith(JSON_PREFIXES) or "json" in request.headers.get("Accept", "")
    if wants_json:
        return problem_response(status, title, detail, slug="storage" if why else "server-error")
    page = (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title}</title></head>'
        f"<body><h1>{title}</h1><p>{escape(detail)}</p></body></html>"
    )
    return HttpResponse(page, status=status)
