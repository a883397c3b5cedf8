"""Open Badges 2.0 hosted documents: the Assertion at ``{credential}/ob2``, its BadgeClass at
``{achievement}/ob2`` and the Issuer at ``/orgs/<slug>/ob2``. Read-only; generated from the same rows as
the OB 3.0 credential. A revoked or suspended credential's assertion answers 410 with ``revoked: true``
(OB 2.0 has no suspension; hosted assertions are checked live, so reinstating restores it)."""

from __future__ import annotations

import json

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_safe

from credstack.achievements.models import Achievement
from credstack.credentials import badges, hosted
from credstack.credentials.models import Credential
from credstack.credentials.visibility import viewer_may_see
from credstack.organizations.models import Organization
from credstack.vc import ob2

JSON_LD = "application/ld+json"
JSON = "application/json"


def _media_type(request: HttpRequest) -> str:
    """``application/json`` when the client prefers it to ``application/ld+json`` (by q-value, then
    order); ``application/ld+json`` otherwise, and for ``*/*`` or no Accept header."""
    best, best_q = JSON_LD, -1.0
    for part in request.headers.get("Accept", "").split(","):
        media, *params = (p.strip() for p in part.split(";"))
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if media.lower() in (JSON_LD, JSON) and q > 0 and q > best_q:
            best, best_q = media.lower(), q
    return best


def _ld(request: HttpRequest, doc: dict, status: int = 200) -> HttpResponse:
    response = HttpResponse(
        json.dumps(doc, ensure_ascii=False, indent=1),
        content_type=f"{_media_type(request)}; charset=utf-8",
        status=status,
    )
    response["Access-Control-Allow-Origin"] = "*"
    response["Cache-Control"] = "public, max-age=60"
    patch_vary_headers(response, ["Accept"])
    return response


def issuer_url(org: Organization) -> str:
    return f"{settings.CREDSTACK_BASE_URL}/orgs/{org.slug}/ob2"


badge_class_url = hosted.badge_class_url


def issuer_doc(org: Organization) -> dict:
    return ob2.issuer(
        id=issuer_url(org),
        name=org.name,
        url=org.url or f"{settings.CREDSTACK_BASE_URL}/me/o/{org.slug}/",
        email=org.email,
        image=getattr(org, "logo_url", "") or org.image_url,
    )


def badge_class_doc(achievement: Achievement) -> dict:
    return ob2.badge_class(
        id=badge_class_url(achievement),
        name=achievement.name,
        description=achievement.description,
        image=f"{badge_class_url(achievement)}/image.png",
        criteria_narrative=achievement.criteria_narrative,
        criteria_url=achievement.criteria_url,
        issuer_id=issuer_url(achievement.organization),
        tags=list(achievement.tags or []),
        alignments=list(achievement.alignments or []),
    )


def assertion_doc(credential: Credential) -> tuple[dict, int]:
    doc = hosted.assertion(credential)
    if credential.state != Credential.State.ACTIVE:
        # the whole assertion with revoked: true (the validator needs its properties to say "revoked")
        doc.update(
            ob2.revoked_assertion(id=doc["id"], reason=credential.revocation_reason or credential.state)
        )
        return doc, 410
    return doc, 200


@require_safe
def assertion(request: HttpRequest, public_id: str) -> HttpResponse:
    credential = get_object_or_404(
        Credential.objects.select_related("achievement", "organization"), public_id=public_id
    )
    if not viewer_may_see(request, credential):
        # a private credential's assertion carries the salted hash of the holder's email: anyone could
        # confirm a guessed address with it, so strangers get what the private page gives them
        raise Http404("this credential is private")
    doc, status = assertion_doc(credential)
    response = _ld(request, doc, status)
    if not credential.is_public:  # seen by its holder or the issuer only: never kept by a shared cache
        response["Cache-Control"] = "private, no-store"
    return response


@require_safe
def badge_class(request: HttpRequest, public_id: str) -> HttpResponse:
    achievement = get_object_or_404(Achievement.objects.select_related("organization"), public_id=public_id)
    return _ld(request, badge_class_doc(achievement))


@require_safe
def badge_class_image(request: HttpRequest, public_id: str) -> HttpResponse:
    achievement = get_object_or_404(Achievement.objects.select_related("organization"), public_id=public_id)
    probe = Credential(achievement=achievement, organization=achievement.organization)
    response = HttpResponse(badges.badge_image(probe, "png"), content_type="image/png")
    response["Cache-Control"] = "public, max-age=3600"
    return response


@require_safe
def issuer(request: HttpRequest, slug: str) -> HttpResponse:
    return _ld(request, issuer_doc(get_object_or_404(Organization, slug=slug)))
