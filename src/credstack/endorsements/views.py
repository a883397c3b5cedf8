"""Endorsements: the issuer's requests (workspace), the endorser's form (no account), the signed
documents, and the section of the credential page (decision 0053)."""

from __future__ import annotations

import json

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from credstack.achievements.models import Achievement
from credstack.credentials.models import Credential
from credstack.credentials.resolver import local_fetch
from credstack.organizations.permissions import Role, member_required
from credstack.vc import verify as vc_verify

from . import actions, queries
from .models import Endorsement, EndorsementRequest, Target


def _messages_of(exc: ValidationError) -> list[str]:
    if hasattr(exc, "message_dict"):
        return [m for ms in exc.message_dict.values() for m in ms]
    return list(exc.messages)


@member_required(Role.ISSUER)
@require_http_methods(["GET", "POST"])
def requests_page(request, org_slug: str) -> HttpResponse:
    """Ask for an endorsement: choose what is endorsed, get a link to send."""
    org = request.organization
    errors: list[str] = []
    link = ""
    if request.method == "POST":
        target = request.POST.get("target", "")
        achievement = credential = None
        if target == Target.ACHIEVEMENT:
            achievement = Achievement.objects.filter(
                organization=org, public_id=request.POST.get("achievement", "")
            ).first()
        if target == Target.CREDENTIAL:
            credential = Credential.objects.filter(
                organization=org, public_id=request.POST.get("credential", "").strip().rsplit("/", 1)[-1]
            ).first()
        try:
            made = actions.request_endorsement(
                org,
                target=target,
                achievement=achievement,
                credential=credential,
                note=request.POST.get("note", ""),
                actor=request.user,
            )
        except ValidationError as exc:
            errors = _messages_of(exc)
        else:
            link = made.link
            messages.success(request, _("Send this link to the endorser. It works once, for 30 days."))
    context = {
        "achievements": Achievement.objects.filter(organization=org).order_by("name"),
        "requests": EndorsementRequest.objects.filter(organization=org)
        .select_related("achievement", "credential__achievement", "endorsement")
        .order_by("-created_at")[:50],
        "errors": errors,
        "link": link,
        "posted": request.POST if errors else {},
    }
    response = render(request, "endorsements/requests.html", context)
    if errors:
        response.status_code = 400
    return response


@member_required(Role.ISSUER)
@require_http_methods(["POST"])
def revoke(request, org_slug: str, public_id: str) -> HttpResponse:
    """Revoke a granted endorsement: new credentials stop carrying it (decision 0062)."""
    endorsement = get_object_or_404(Endorsement, organization=request.organization, public_id=public_id)
    try:
        actions.revoke_endorsement(endorsement, reason=request.POST.get("reason", ""), actor=request.user)
    except ValidationError as exc:
        for message in _messages_of(exc):
            messages.error(request, message)
    else:
        messages.success(request, _("The endorsement is revoked: new credentials no longer carry it."))
    return redirect("endorsements:requests", org_slug=org_slug)


@never_cache
@require_http_methods(["GET", "POST"])
def endorse_page(request: HttpRequest, token: str) -> HttpResponse:
    """The endorser's form: no account, the link's token is the permission."""
    try:
        req = actions.open_request(token)
    except ValidationError as exc:
        return render(request, "endorsements/endorse.html", {"closed": _messages_of(exc)[0]}, status=410)
    errors: list[str] = []
    if request.method == "POST":
        try:
            endorsement = actions.endorse(
                token,
                name=request.POST.get("name", ""),
                url=request.POST.get("url", ""),
                comment=request.POST.get("comment", ""),
            )
        except ValidationError as exc:
            errors = _messages_of(exc)
        else:
            return render(
                request, "endorsements/thanks.html", {"endorsement": endorsement, "org": req.organization}
            )
    response = render(
        request,
        "endorsements/endorse.html",
        {
            "req": req,
            "org": req.organization,
            "what": actions.subject_name(req),
            "errors": errors,
            "posted": request.POST,
        },
    )
    if errors:
        response.status_code = 400
    return response


@require_safe
def endorsement_document(request: HttpRequest, public_id: str) -> HttpResponse:
    """The signed ``EndorsementCredential`` (its ``id`` is this URL)."""
    endorsement = get_object_or_404(Endorsement, public_id=public_id)
    response = HttpResponse(endorsement.document, content_type="application/vc+ld+json")
    response["Access-Control-Allow-Origin"] = "*"
    response["Cache-Control"] = "public, max-age=300"
    return response


def carried_in(document: dict) -> dict[str, dict]:
    """The endorsements a signed credential carries (its own, its issuer's, its achievement's), by id."""
    subject = document.get("credentialSubject") or {}
    achievement = subject.get("achievement") if isinstance(subject, dict) else None
    found: dict[str, dict] = {}
    for holder in (document, document.get("issuer"), achievement):
        if isinstance(holder, dict):
            for doc in holder.get("endorsement") or []:
                if isinstance(doc, dict) and isinstance(doc.get("id"), str):
                    found[doc["id"]] = doc
    return found


def credential_section(credential: Credential) -> str:
    """The credential page's "Endorsed by" section: each endorsement verified (signature, dates), the copy
    the credential carries when it carries one (decision 0062). A revoked endorsement is shown, as revoked,
    on the pages of the credentials that carry it, and not on the others."""
    inside = carried_in(credential.signed())
    items = []
    for endorsement in queries.endorsements_for(credential):
        carried = inside.get(endorsement.uri)
        if endorsement.revoked_at is not None and carried is None:
            continue
        document = carried if carried is not None else json.loads(endorsement.document)
        report = vc_verify.verify_credential(document, fetch=local_fetch)
        items.append(
            {
                "e": endorsement,
                "verified": report.status == "valid",
                "status": report.status,
                "inside": carried is not None,
            }
        )
    if not items:
        return ""
    return render_to_string("endorsements/_section.html", {"items": items})
