"""A credential's state: revoke, suspend, reinstate (status bit, event, audit row, one transaction),
and the announcement of expiries (``credential.expired``, once per expiry)."""

from __future__ import annotations

import logging
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from credstack.organizations import audit
from credstack.organizations.actors import Actor, as_actor
from credstack.outbox import actions as outbox
from credstack.vc import status as vc_status

from .. import status_lists
from ..models import Credential, CredentialEvent
from ..signals import STATE_CHANGED

log = logging.getLogger("credstack.credentials.actions")  # log lines keep the name they had before the split


# why a credential cannot change state, in the reader's language (the API's and the workspace's)
REFUSED = {
    "revoke": gettext_lazy("credential %(id)s is %(state)s; cannot revoke it"),
    "suspend": gettext_lazy("credential %(id)s is %(state)s; cannot suspend it"),
    "reinstate": gettext_lazy("credential %(id)s is %(state)s; cannot reinstate it"),
    "correct": gettext_lazy("credential %(id)s is %(state)s; cannot correct it"),
    "replace": gettext_lazy("credential %(id)s is %(state)s; cannot replace it"),
    "renew": gettext_lazy("credential %(id)s is %(state)s; cannot renew it"),
}
STATES = {
    "active": pgettext_lazy("a credential is", "active"),
    "revoked": pgettext_lazy("a credential is", "revoked"),
    "suspended": pgettext_lazy("a credential is", "suspended"),
    "replaced": pgettext_lazy("a credential is", "replaced"),
}


class CredentialStateError(Exception):
    """The requested change does not apply to the credential's current state."""


def state_changed(cred: Credential, event: str) -> None:
    """Inside the change's transaction: the effect ``credential.state_changed`` (see ``signals.py``)."""
    outbox.emit(
        STATE_CHANGED,
        {"credential": cred.pk, "organization": cred.organization_id, "event": event, "state": cred.state},
    )


REASON_MAX = 2000


def clean_reason(reason: str | None, *, required: str = "") -> str:
    """A reason as the history and the credential's page show it; ``required``: the error if empty."""
    reason = (reason or "").strip()
    if required and not reason:
        raise ValidationError({"reason": required})
    if len(reason) > REASON_MAX:
        raise ValidationError({"reason": _("is too long (at most %(n)s characters)") % {"n": REASON_MAX}})
    if "\x00" in reason:
        raise ValidationError({"reason": _("contains a NUL character (U+0000), which is not accepted")})
    return reason


def change_state(
    credential: Credential,
    *,
    allowed: set[str],
    new_state: str,
    purpose: str,
    bit: bool,
    event: str,
    verb: str,
    actor: Actor,
    note: str = "",
    audit_action: str | None = None,
) -> Credential:
    """Move the credential to ``new_state`` (status bit, event, audit row) in one transaction.
    ``audit_action`` None: the caller records the audit row (a correction records one for the whole)."""
    with transaction.atomic():
        cred = Credential.objects.select_for_update().get(pk=credential.pk)
        if cred.state not in allowed:
            raise CredentialStateError(
                str(REFUSED[verb]) % {"id": cred.public_id, "state": STATES.get(cred.state, cred.state)}
            )
        purposes = [purpose]
        if new_state == Credential.State.REVOKED:  # one suspension entry only: set that bit too (0032)
            purposes = list(vc_status.revocation_purposes(cred.signed()))
        for each in purposes:
            status_lists.set_bit(cred.status_list_id, cred.status_index, each, bit)
        cred.state = new_state
        fields = ["state"]
        if new_state == Credential.State.REVOKED:
            cred.revoked_at, cred.revocation_reason = timezone.now(), note
            fields += ["revoked_at", "revocation_reason"]
        cred.save(update_fields=fields)
        CredentialEvent.objects.create(credential=cred, kind=event, actor=actor.user_or_none, note=note)
        if audit_action:
            audit.record(credential.organization, actor, audit_action, cred.public_id, note)
        state_changed(cred, event)
    log.info("credential %s: %s", event, cred.public_id)
    return cred


def revoke_credential(credential: Credential, *, reason: str = "", actor=None) -> Credential:
    """Revoke for good: the revocation bit is set and the list re-signed. A reason is required: it is
    shown on the credential's page to everyone who checks it."""
    return change_state(
        credential,
        allowed={"active", "suspended"},
        new_state="revoked",
        purpose="revocation",
        bit=True,
        event="revoked",
        verb="revoke",
        actor=as_actor(actor),
        note=clean_reason(reason, required=_("a reason is required to revoke")),
        audit_action="credential.revoke",
    )


def suspend_credential(credential: Credential, *, reason: str = "", actor=None) -> Credential:
    return change_state(
        credential,
        allowed={"active"},
        new_state="suspended",
        purpose="suspension",
        bit=True,
        event="suspended",
        verb="suspend",
        actor=as_actor(actor),
        note=clean_reason(reason),
        audit_action="credential.suspend",
    )


def reinstate_credential(credential: Credential, *, reason: str = "", actor=None) -> Credential:
    return change_state(
        credential,
        allowed={"suspended"},
        new_state="active",
        purpose="suspension",
        bit=False,
        event="reinstated",
        verb="reinstate",
        actor=as_actor(actor),
        note=clean_reason(reason),
        audit_action="credential.reinstate",
    )


# ---- expiry announcements (webhook subscribers hear "credential.expired" once per expiry) ----------

EXPIRED_BATCH = 500


def announce_expired(now: datetime | None = None) -> int:
    """Publish ``credential.expired`` for every credential whose expiry has passed and was not announced
    yet (revoked credentials are marked without an event: they stopped being valid before). Safe to run
    twice, and from two workers at once: each credential is claimed by a conditional update, so its expiry
    is announced once; a later ``change_expiry`` makes the new expiry announceable again. Periodic job
    ``credentials.announce_expired``. Returns how many were announced."""
    now = now or timezone.now()
    due = Credential.objects.filter(valid_until__lte=now, expiry_announced_at__isnull=True)
    announced = 0
    while True:
        batch = list(due.order_by("valid_until", "id").values_list("id", flat=True)[:EXPIRED_BATCH])
        if not batch:
            return announced
        for pk in batch:
            with transaction.atomic():
                claimed = Credential.objects.filter(
                    pk=pk, expiry_announced_at__isnull=True, valid_until__lte=now
                ).update(expiry_announced_at=now)
                if not claimed:
                    continue  # another worker took it, or its expiry changed meanwhile
                cred = Credential.objects.select_related("organization", "achievement").get(pk=pk)
                if cred.state == Credential.State.REVOKED:
                    continue
                announced += 1
                state_changed(cred, "expired")
