from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from credstack.organizations.models import Organization
from credstack.organizations.queries import did_document
from credstack.vc import verify as vc_verify

from .models import Credential, StatusList
from .resolver import local_fetch

VC_TYPES = ("application/vc+ld+json", "application/vc", "application/ld+json", "application/json")


def _wants_json(request: HttpRequest) -> bool:
    if request.GET.get("format") == "json":
        return True
    accept = request.headers.get("Accept", "")
    best = None
    for part in accept.split(","):
        media = part.split(";")[0].strip().lower()
        if media in VC_TYPES or media == "text/html":
            best = best or media
    return best is not None and best != "text/html"


def _json(
    body: str, content_type: str = "application/vc+ld+json", filename: str | None = None
) -> HttpResponse:
    response = HttpResponse(body, content_type=f"{content_type}; charset=utf-8")
    response["Access-Control-Allow-Origin"] = "*"
    response["Vary"] = "Accept"
    if filename:
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_safe
def credential_page(request: HttpRequest, public_id: str) -> HttpResponse:
    credential = get_object_or_404(
        Credential.objects.select_related("organization", "achievement"), public_id=public_id
    )
    if _wants_json(request):
        return _json(credential.document)
    report = vc_verify.verify_credential(credential.signed(), fetch=local_fetch)
    response = render(
        request,
        "credentials/credential.html",
        {
            "credential": credential,
            "org": credential.organization,
            "achievement": credential.achievement,
            "report": report,
            "state": report.status,
        },
    )
    response["Vary"] = "Accept"
    return response


@require_safe
def credential_download(request: HttpRequest, public_id: str) -> HttpResponse:
    credential = get_object_or_404(Credential, public_id=public_id)
    return _json(credential.document, filename=f"credential-{public_id}.json")


@require_safe
def did_json(request: HttpRequest, slug: str) -> JsonResponse:
    org = get_object_or_404(Organization, slug=slug)
    response = JsonResponse(did_document(org), content_type="application/did+json")
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_safe
def status_list(request: HttpRequest, public_id: str, purpose: str) -> HttpResponse:
    if purpose not in StatusList.PURPOSES:
        raise Http404
    row = get_object_or_404(StatusList, public_id=public_id)
    response = _json(getattr(row, f"{purpose}_document"))
    response["Cache-Control"] = "public, max-age=60"
    return response
