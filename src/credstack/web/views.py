from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from credstack.organizations.queries import domain_for_host


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    """Plain words for people (check a certificate, see yours, award them); it lists no organizations:
    who issues here is each organization's business, not the deployment's front page (issue 14)."""
    return render(request, "web/home.html")


@require_safe
def tls_ask(request: HttpRequest) -> HttpResponse:
    """Caddy's on-demand TLS ``ask``: 200 only for a host name an organization configured (a certificate
    is then requested for it), 404 for any other name, so nobody makes the server request certificates
    for names of their choosing (decision 0049)."""
    name = request.GET.get("domain", "")
    domain = domain_for_host(name) if name and ":" not in name else None
    if domain is None:
        return HttpResponse("not a configured domain\n", status=404, content_type="text/plain")
    return HttpResponse("ok\n", content_type="text/plain")


@require_safe
def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")
