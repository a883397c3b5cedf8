"""Endorsements (Open Badges 3.0 ``EndorsementCredential``, decision 0053).

An issuer asks (``request_endorsement``): a link with a random token, kept as a hash, valid
``REQUEST_DAYS``, good once. Whoever opens it answers with a name, a URL and a comment
(``endorse``); the platform signs the ``EndorsementCredential`` with its own key (under the
deployment's did:web), the endorser named in its issuer ``Profile``. An endorsement of one credential
is also added to that credential's ``endorsement`` list (it is signed again).
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from credstack.achievements.models import Achievement
from credstack.credentials import actions as credential_actions
from credstack.credentials import pagecache
from credstack.credentials.models import Credential
from credstack.organizations import audit, signing
from credstack.organizations.actions import platform_key
from credstack.organizations.actors import Actor, as_actor
from credstack.organizations.models import Organization, platform_did
from credstack.vc import ob3

from .models import Endorsement, EndorsementRequest, Target

REQUEST_DAYS = 30
NAME_MAX = 200
COMMENT_MAX = 5000


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Requested:
    request: EndorsementRequest
    token: str  # in the link only; never stored

    @property
    def link(self) -> str:
        return f"{settings.CREDSTACK_BASE_URL}/endorse/{self.token}"


def request_endorsement(
    org: Organization,
    *,
    target: str,
    achievement: Achievement | None = None,
    credential: Credential | None = None,
    note: str = "",
    actor=None,
) -> Requested:
    """A link to send to the endorser. ``target``: ``achievement`` (give it), ``issuer`` or
    ``credential`` (give it); what it names must be ``org``'s."""
    who = as_actor(actor)
    if target not in Target.values:
        raise ValidationError(
            {"target": _("choose what is endorsed: an achievement, the issuer or a credential")}
        )
    if target == Target.ACHIEVEMENT and (achievement is None or achievement.organization_id != org.pk):
        raise ValidationError({"achievement": _("choose one of this organization's achievements")})
    if target == Target.CREDENTIAL and (credential is None or credential.organization_id != org.pk):
        raise ValidationError({"credential": _("choose one of this organization's credentials")})
    note = (note or "").strip()
    if len(note) > COMMENT_MAX or "\x00" in note:
        raise ValidationError({"note": _("the note is too long or holds a NUL character")})
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        req = EndorsementRequest.objects.create(
            organization=org,
            target=target,
            achievement=achievement if target == Target.ACHIEVEMENT else None,
            credential=credential if target == Target.CREDENTIAL else None,
            token_hash=_hash(token),
            note=note,
            created_by=who.user_or_none,
            expires_at=timezone.now() + timedelta(days=REQUEST_DAYS),
        )
        audit.record(org, who, "endorsement.requested", req.public_id, f"{target}: {subject_name(req)}")
    return Requested(req, token)


def subject_name(req: EndorsementRequest | Endorsement) -> str:
    if req.target == Target.ACHIEVEMENT and req.achievement is not None:
        return req.achievement.name
    if req.target == Target.CREDENTIAL and req.credential is not None:
        return f"{req.credential.achievement.name} — {req.credential.recipient_name}"
    return req.organization.name


def subject_id(req: EndorsementRequest) -> str:
    """What the endorsement's ``credentialSubject.id`` names: the achievement's id, the issuer's DID or
    the credential's URL, as they appear in the credentials."""
    if req.target == Target.ACHIEVEMENT and req.achievement is not None:
        return req.achievement.uri
    if req.target == Target.CREDENTIAL and req.credential is not None:
        return req.credential.uri
    return req.organization.did


def open_request(token: str) -> EndorsementRequest:
    """The request a link names, if it can still be answered; ValidationError otherwise."""
    req = (
        EndorsementRequest.objects.select_related("organization", "achievement", "credential__achievement")
        .filter(token_hash=_hash(token or ""))
        .first()
    )
    if req is None:
        raise ValidationError(_("This endorsement link is not valid."))
    if req.answered_at is not None:
        raise ValidationError(_("This endorsement link was already used."))
    if req.expires_at <= timezone.now():
        raise ValidationError(_("This endorsement link has expired; ask for a new one."))
    return req


def _clean(name: str, url: str, comment: str) -> tuple[str, str, str]:
    errors: dict[str, str] = {}
    name, url, comment = (name or "").strip(), (url or "").strip(), (comment or "").strip()
    if not name:
        errors["name"] = _("Give your name or your organization's.")
    elif len(name) > NAME_MAX or any(ord(c) < 32 for c in name):
        errors["name"] = _("The name is too long or holds control characters.")
    if url:
        try:
            URLValidator(schemes=["http", "https"])(url)
        except ValidationError:
            errors["url"] = _("Give a web address starting with https:// (or leave it empty).")
    if not comment:
        errors["comment"] = _("Say what you endorse and why.")
    elif len(comment) > COMMENT_MAX or "\x00" in comment:
        errors["comment"] = _("The comment is too long (at most 5,000 characters) or holds a NUL character.")
    if errors:
        raise ValidationError(errors)
    return name, url, comment


def endorse(token: str, *, name: str, url: str = "", comment: str) -> Endorsement:
    """Answer a request: the signed ``EndorsementCredential``, stored (and, for one credential, added to
    it). Raises ValidationError (nothing changes) for a used, expired or unknown link or bad fields."""
    name, url, comment = _clean(name, url, comment)
    with transaction.atomic():
        req = open_request(token)
        req = EndorsementRequest.objects.select_for_update().get(pk=req.pk)
        if req.answered_at is not None:
            raise ValidationError(_("This endorsement link was already used."))
        endorsement = Endorsement(
            request=req,
            organization=req.organization,
            target=req.target,
            achievement=req.achievement,
            credential=req.credential,
            endorser_name=name,
            endorser_url=url,
            comment=comment,
        )
        now = timezone.now().replace(microsecond=0)
        unsigned = ob3.compose_endorsement(
            endorsement_id=endorsement.uri,
            name=_("Endorsement of %(what)s") % {"what": subject_name(req)},
            issuer={"id": platform_did(), "name": name, "url": url},
            subject_id=subject_id(req),
            comment=comment,
            valid_from=now,
        )
        signed = signing.sign(unsigned, platform_key(), created=now, as_list=True)
        endorsement.document = json.dumps(signed, ensure_ascii=False, separators=(",", ":"))
        endorsement.save()
        req.answered_at = now
        req.save(update_fields=["answered_at"])
        who = Actor.system(f"endorser {name} (by the request link)")
        audit.record(req.organization, who, "endorsement.given", endorsement.public_id, subject_name(req))
        if req.credential is not None:
            credential_actions.attach_endorsement(req.credential, signed, actor=who)
        pagecache.organization_changed(req.organization_id)  # the credential pages that show it
    return endorsement


REASON_MAX = 2000


def revoke_endorsement(endorsement: Endorsement, *, reason: str = "", actor=None) -> Endorsement:
    """The issuer withdraws an endorsement (decision 0062): new credentials no longer carry it, and the
    credential pages show it as revoked (credentials issued before keep the signed copy they carry; their
    page says it was revoked). Raises ValidationError (nothing changes) when it is revoked already or the
    reason is too long."""
    who = as_actor(actor)
    reason = (reason or "").strip()
    if len(reason) > REASON_MAX or "\x00" in reason:
        raise ValidationError(
            {"reason": _("The reason is too long (at most 2,000 characters) or holds a NUL character.")}
        )
    with transaction.atomic():
        row = Endorsement.objects.select_for_update().select_related("organization").get(pk=endorsement.pk)
        if row.revoked_at is not None:
            raise ValidationError(_("This endorsement was already revoked."))
        row.revoked_at, row.revocation_reason = timezone.now(), reason
        row.save(update_fields=["revoked_at", "revocation_reason"])
        audit.record(row.organization, who, "endorsement.revoked", row.public_id, reason or row.endorser_name)
        pagecache.organization_changed(row.organization_id)  # the credential pages that show it
    return row
