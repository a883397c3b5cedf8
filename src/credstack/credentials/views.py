from __future__ import annotations

import threading
import time
from collections import OrderedDict

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_safe

from credstack.organizations.models import Organization
from credstack.organizations.queries import did_document
from credstack.vc import verify as vc_verify

from . import engagement, files, share
from .models import Credential, CredentialEvent, StatusList
from .resolver import local_fetch
from .visibility import viewer_may_see

VC_TYPES = ("application/vc+ld+json", "application/vc", "application/ld+json", "application/json")
BOTS = ("bot", "crawler", "spider", "preview", "facebookexternalhit", "slackbot", "linkedinbot", "whatsapp")


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


def _is_bot(request: HttpRequest) -> bool:
    agent = request.headers.get("User-Agent", "").lower()
    return any(b in agent for b in BOTS)


def _credential(public_id: str) -> Credential:
    return get_object_or_404(
        Credential.objects.select_related("organization", "achievement", "replaced_by"), public_id=public_id
    )


def _private_file(request: HttpRequest, credential: Credential) -> None:
    if not viewer_may_see(request, credential):
        raise Http404("this credential is private")


_REPORTS: OrderedDict[tuple, tuple[float, object]] = OrderedDict()
_REPORTS_LOCK = threading.Lock()
REPORT_TTL = 60.0


def cached_report(credential: Credential):
    """The verification report shown on the page. Verifying takes three signature checks (the credential
    and its two status lists); a report is reused for up to a minute while nothing it depends on changed:
    the key holds the credential's state and its status list's last change, so a revocation shows at once."""
    updated = (
        StatusList.objects.filter(pk=credential.status_list_id).values_list("updated_at", flat=True).first()
    )
    key = (credential.pk, credential.state, updated, credential.valid_until, settings.CREDSTACK_BASE_URL)
    now = time.monotonic()
    with _REPORTS_LOCK:
        hit = _REPORTS.get(key)
        if hit and now - hit[0] < REPORT_TTL:
            return hit[1]
    report = vc_verify.verify_credential(credential.signed(), fetch=local_fetch)
    with _REPORTS_LOCK:
        _REPORTS[key] = (now, report)
        while len(_REPORTS) > 2048:
            _REPORTS.popitem(last=False)
    return report


def page_state(credential: Credential, report) -> str:
    """What the page shows in big letters: replaced wins over the checks; then the report's status."""
    if credential.replaced_by_id:
        return "replaced"
    if report.status == "suspended" and credential.state == Credential.State.REVOKED:
        # one suspension entry (decision 0032): the list says "not valid", the issuer's record says why
        return "revoked"
    return report.status


# states whose page offers the files and the share buttons: a revoked, suspended, replaced or tampered
# credential shows its state and nothing to pass on
OFFERED_STATES = ("valid", "expired", "not-yet-valid", "unverified")


def page_actions(credential: Credential, state: str, visible: bool) -> dict | None:
    """The actions bar at the top of the page, or None when it has none. A private credential (seen by its
    holder or its issuer) gets its downloads but no share buttons: strangers would find nothing there."""
    if not visible or state not in OFFERED_STATES:
        return None
    shared = credential.is_public
    return {
        "pdf": f"{credential.uri}.pdf",
        "badge": f"{credential.uri}.png?download=1",
        "verify": share.verify_url(credential),
        "linkedin_add": share.linkedin_url(credential) if shared else "",
        "linkedin_post": share.linkedin_share_url(credential) if shared else "",
        "email": share.email_url(credential) if shared else "",
    }


@require_safe
def credential_page(request: HttpRequest, public_id: str) -> HttpResponse:
    credential = _credential(public_id)
    visible = viewer_may_see(request, credential)
    if _wants_json(request):
        if not visible:
            raise Http404("this credential is private")
        return _json(credential.document)
    report = cached_report(credential)
    state = page_state(credential, report)
    if not _is_bot(request):
        engagement.record(credential.pk, CredentialEvent.Kind.VIEWED)
    response = render(
        request,
        "credentials/credential.html",
        {
            "credential": credential,
            "org": credential.organization,
            "achievement": credential.achievement,
            "report": report,
            "state": state,
            "visible": visible,
            "actions": page_actions(credential, state, visible),
            "is_private": not credential.is_public,
            "base_url": settings.CREDSTACK_BASE_URL,
            "now": timezone.now(),
        },
    )
    response["Vary"] = "Accept, Cookie"
    if not credential.is_public:
        response["X-Robots-Tag"] = "noindex"
    return response


def _download(request: HttpRequest, credential: Credential, kind: str) -> None:
    if not _is_bot(request):
        engagement.record(credential.pk, CredentialEvent.Kind.DOWNLOADED, kind)


@require_safe
def credential_download(request: HttpRequest, public_id: str) -> HttpResponse:
    credential = _credential(public_id)
    _private_file(request, credential)
    _download(request, credential, "json")
    return _json(credential.document, filename=f"credential-{public_id}.json")


def _file_response(data: bytes | str, content_type: str, filename: str, inline: bool) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    response["Access-Control-Allow-Origin"] = "*"
    response["Cache-Control"] = "private, max-age=300"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@require_safe
def credential_pdf(request: HttpRequest, public_id: str) -> HttpResponse:
    credential = _credential(public_id)
    _private_file(request, credential)
    _download(request, credential, "pdf")
    return _file_response(
        files.certificate_pdf(credential), "application/pdf", f"certificate-{public_id}.pdf", inline=False
    )


@require_safe
def credential_png(request: HttpRequest, public_id: str) -> HttpResponse:
    credential = _credential(public_id)
    _private_file(request, credential)
    if request.GET.get("download"):
        _download(request, credential, "png")
    response = _file_response(
        files.baked_png(credential),
        "image/png",
        f"badge-{public_id}.png",
        inline=not request.GET.get("download"),
    )
    return response


@require_safe
def credential_svg(request: HttpRequest, public_id: str) -> HttpResponse:
    credential = _credential(public_id)
    _private_file(request, credential)
    _download(request, credential, "svg")
    response = _file_response(
        files.baked_svg(credential), "image/svg+xml; charset=utf-8", f"badge-{public_id}.svg", inline=False
    )
    response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response


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
