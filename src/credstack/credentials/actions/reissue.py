"""A credential replaced by a new one: corrected (a typo), replaced (issued again), renewed (a new end
date). The old one is revoked with "Replaced by <new URL>" and points at its replacement."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from credstack.organizations import audit
from credstack.organizations.actors import Actor, as_actor

from .. import pagecache
from ..models import Credential
from ..validation import clean_email, clean_name
from .issue import issue_credential
from .requests import IssueRequest
from .state import STATES, CredentialStateError, change_state, clean_reason

log = logging.getLogger("credstack.credentials.actions")  # log lines keep the name they had before the split


def correct_credential(
    credential: Credential,
    *,
    recipient_name: str | None = None,
    recipient_email: str | None = None,
    reason: str,
    actor=None,
) -> Credential:
    """Fix a credential (a typo in the name): a new credential replaces the old one.

    The old one is revoked with the reason "Replaced by <new URL>" (so every verifier sees it is no
    longer valid), points at its replacement (its page says so and links there) and gets a "replaced"
    event. The new one keeps the achievement version, design version, merge fields and expiry. One
    audit row, "credential.corrected", records the whole change.
    """
    who = as_actor(actor)
    reason = clean_reason(reason, required=_("is required"))
    old = Credential.objects.select_related("achievement__organization").get(pk=credential.pk)
    if old.state == Credential.State.REVOKED:
        raise CredentialStateError(
            _("credential %(id)s is revoked; it cannot be corrected") % {"id": old.public_id}
        )
    name = clean_name(recipient_name if recipient_name is not None else old.recipient_name, "recipient_name")
    email = clean_email(
        recipient_email if recipient_email is not None else old.recipient_email, "recipient_email"
    )
    if name == old.recipient_name and email == old.recipient_email:
        raise ValidationError({"recipient_name": _("is unchanged: change the name or the email to correct")})
    doc = old.signed()
    subject = doc.get("credentialSubject", {})
    new = issue_credential(
        IssueRequest(
            achievement=old.achievement,
            recipient_name=name,
            recipient_email=email,
            valid_until=old.valid_until,
            result=subject.get("result"),
            activity_start=None,
            activity_end=None,
            source="correction",
            actor=who,
            audit=False,
            merge_fields=old.merge_fields,
            achievement_version=old.achievement_version,
            design_version=old.design_version,
        )
    )
    with transaction.atomic():
        _retire(old, new, who, verb="correct", note=f"Replaced by {new.uri}: {reason}")
        audit.record(
            old.organization,
            who,
            "credential.corrected",
            old.public_id,
            f"replaced by {new.public_id}: {reason}",
        )
    log.info("credential %s replaced by %s", old.public_id, new.public_id)
    return new


def _retire(old: Credential, new: Credential, who: Actor, *, verb: str, note: str) -> None:
    """Inside the caller's transaction: revoke ``old`` for good with a "replaced" event and point it at
    ``new`` (a correction, a replacement). Raises CredentialStateError if it was revoked meanwhile (the
    new credential stands)."""
    locked = Credential.objects.select_for_update().get(pk=old.pk)
    if locked.state == Credential.State.REVOKED:  # lost a race: report it
        raise CredentialStateError(_("credential %(id)s was revoked meanwhile") % {"id": old.public_id})
    change_state(
        locked,
        allowed={"active", "suspended"},
        new_state="revoked",
        purpose="revocation",
        bit=True,
        event="replaced",
        verb=verb,
        actor=who,
        note=note,
    )
    Credential.objects.filter(pk=old.pk).update(replaced_by=new)
    pagecache.credentials_changed([old.public_id])  # update() sends no post_save; the page says "Replaced"


def replace_credential(old: Credential, request: IssueRequest, *, reason: str = "") -> Credential:
    """Issue ``request`` and retire ``old`` (the credential the recipient held for the achievement): the
    old one is revoked with the reason "Replaced by <new URL>", points at its replacement and gets a
    "replaced" event, as a correction does. One audit row, "credential.replaced", besides the issue's."""
    who = as_actor(request.actor)
    reason = clean_reason(reason)
    current = Credential.objects.select_related("organization").get(pk=old.pk)
    if current.state == Credential.State.REVOKED:
        raise CredentialStateError(
            _("credential %(id)s is revoked; there is nothing to replace") % {"id": current.public_id}
        )
    if current.achievement_id != request.achievement.pk:
        raise ValidationError({"achievement": _("the credential replaced must be for the same achievement")})
    new = issue_credential(replace(request, duplicates="allow"))
    with transaction.atomic():
        note = f"Replaced by {new.uri}" + (f": {reason}" if reason else "")
        _retire(old, new, who, verb="replace", note=note)
        audit.record(
            current.organization, who, "credential.replaced", old.public_id, f"replaced by {new.public_id}"
        )
    log.info("credential %s replaced by %s", old.public_id, new.public_id)
    return new


# The reason a renewed credential carries: "Renewed: replaced by <URL of its renewal>".
RENEWED = "Renewed:"
# Renewal opens this many days before a credential's end date (and stays open after it).
RENEWAL_WINDOW_DAYS = 60


def renewal_window() -> timedelta:
    return timedelta(days=int(getattr(settings, "CREDSTACK_RENEWAL_WINDOW_DAYS", RENEWAL_WINDOW_DAYS)))


def renewable(credential: Credential, now: datetime | None = None) -> bool:
    """Can ``credential`` be renewed now? An active credential, not yet replaced, whose end date is
    within the renewal window or past. (A suspended one waits for its issuer; a revoked one is over.)"""
    now = now or timezone.now()
    return (
        credential.state == Credential.State.ACTIVE
        and credential.replaced_by_id is None
        and credential.valid_until is not None
        and credential.valid_until <= now + renewal_window()
    )


def current_of(credential: Credential) -> Credential:
    """The credential that stands for ``credential`` now: itself, or the last of its replacements
    (corrections, renewals)."""
    seen = {credential.pk}
    while credential.replaced_by_id is not None and credential.replaced_by_id not in seen:
        seen.add(credential.replaced_by_id)
        credential = Credential.objects.select_related("organization", "achievement").get(
            pk=credential.replaced_by_id
        )
    return credential


def renew_credential(old: Credential, request: IssueRequest) -> Credential:
    """Renew ``old``: issue ``request`` (a new credential, with a new end date: the achievement's
    validity period from today, or, for an achievement without one, as long as ``old`` lasted) and
    retire ``old``, revoked with the reason "Renewed: replaced by <new URL>" and pointing
    at its renewal. Exactly once per credential: the renewal's idempotency key is derived from ``old``,
    so a retry, a second completion or a crash between the two steps finishes the same renewal.

    Raises CredentialStateError when ``old`` is not due (see ``renewable``)."""
    who = as_actor(request.actor)
    current = Credential.objects.select_related("organization").get(pk=old.pk)
    if current.achievement_id != request.achievement.pk:
        raise ValidationError({"achievement": _("a renewal is for the same achievement")})
    key = f"renew:{current.public_id}"
    done = Credential.objects.filter(organization_id=current.organization_id, idempotency_key=key).first()
    if done is None and not renewable(current):
        if current.valid_until is None:
            why = _("it does not expire")
        elif current.state != Credential.State.ACTIVE or current.replaced_by_id is not None:
            state = "replaced" if current.replaced_by_id else current.state
            why = _("it is %(state)s") % {"state": STATES.get(state, state)}
        else:
            opens = (current.valid_until - renewal_window()).date().isoformat()
            why = _("it expires on %(date)s; renewal opens on %(opens)s") % {
                "date": current.valid_until.date().isoformat(),
                "opens": opens,
            }
        raise CredentialStateError(
            _("credential %(id)s cannot be renewed: %(why)s") % {"id": current.public_id, "why": why}
        )
    valid_until = request.valid_until
    if valid_until is None and not request.achievement.valid_for_months and current.valid_until:
        # an achievement without a validity period: the renewal lasts as long as the credential did
        valid_until = timezone.now().replace(microsecond=0) + (current.valid_until - current.issued_at)
    new = issue_credential(
        replace(request, duplicates="allow", idempotency_key=key, valid_until=valid_until, audit=False)
    )
    if current.replaced_by_id == new.pk:
        return new  # a retry of a renewal that finished
    with transaction.atomic():
        _retire(current, new, who, verb="renew", note=f"{RENEWED} replaced by {new.uri}")
        audit.record(
            current.organization, who, "credential.renewed", current.public_id, f"by {new.public_id}"
        )
    log.info("credential %s renewed by %s", current.public_id, new.public_id)
    return new


def renew_as_issued(old: Credential, *, actor=None) -> Credential:
    """The issuer renews ``old`` for the same person (the workspace's Renew, the API, in bulk): a new
    credential of the same achievement, name and certificate fields, with a new end date."""
    return renew_credential(
        old,
        IssueRequest(
            achievement=old.achievement,
            recipient_name=old.recipient_name,
            recipient_email=old.recipient_email,
            merge_fields=dict(old.merge_fields or {}),
            source="renewal",
            actor=actor,
        ),
    )
