"""Every write to a credential goes through here.

Issuance is one pipeline for every trigger (command line, form, CSV, API, webhook, course,
pathway): validate -> reserve a status slot -> compose -> sign -> verify what was signed ->
persist -> after commit, deliver.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, replace
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from credstack import metrics
from credstack.achievements.actions import current_version
from credstack.achievements.models import Achievement
from credstack.organizations import audit, signing
from credstack.organizations.actions import active_key
from credstack.organizations.actors import Actor, as_actor
from credstack.organizations.models import Organization
from credstack.outbox import actions as outbox
from credstack.vc import dates as vc_dates
from credstack.vc import ob3
from credstack.vc import status as vc_status

from . import pagecache, signals, status_lists
from .models import Credential, CredentialEvent
from .signals import ISSUED, STATE_CHANGED
from .validation import clean_email, clean_name

log = logging.getLogger(__name__)


class CredentialStateError(Exception):
    """The requested change does not apply to the credential's current state."""


class AlreadyHeld(Exception):
    """The recipient already holds an active credential for this achievement (``existing``); issuing
    again needs the caller to say so (``IssueRequest.duplicates="allow"``)."""

    def __init__(self, existing: Credential) -> None:
        self.existing = existing
        super().__init__(
            f"{existing.recipient_email} already holds an active credential for "
            f"{existing.achievement.name}: {existing.public_id} (issued {existing.issued_at.date().isoformat()})"
        )


def _held(achievement: Achievement):
    """Credentials that count as "already held": active and not expired."""
    return (
        Credential.objects.filter(achievement=achievement, state=Credential.State.ACTIVE)
        .exclude(valid_until__lte=timezone.now())
        .select_related("achievement")
        .order_by("-issued_at", "-id")
    )


def held_credential(achievement: Achievement, email: str) -> Credential | None:
    """The newest active, unexpired credential for ``achievement`` held by ``email``, or None."""
    return _held(achievement).filter(recipient_email__iexact=email).first()


def held_credentials(achievement: Achievement) -> dict[str, Credential]:
    """Every holder of ``achievement`` (lower-cased email -> their newest active credential), for a
    bulk upload's dry run: the same rule as ``issue_credential``'s."""
    held: dict[str, Credential] = {}
    for credential in _held(achievement).only("public_id", "recipient_email", "issued_at", "achievement"):
        held.setdefault(credential.recipient_email.lower(), credential)
    return held


def add_months(moment: datetime, months: int) -> datetime:
    month = moment.month - 1 + months
    year, month = moment.year + month // 12, month % 12 + 1
    for day in (moment.day, 30, 29, 28):
        try:
            return moment.replace(year=year, month=month, day=day)
        except ValueError:
            continue
    raise AssertionError("unreachable")


@dataclass(frozen=True)
class IssueRequest:
    achievement: Achievement
    recipient_name: str
    recipient_email: str
    valid_until: datetime | None = None
    result: list[dict] | None = None
    evidence: list[dict] | None = None
    activity_start: datetime | None = None
    activity_end: datetime | None = None
    source: str = "manual"
    idempotency_key: str | None = None
    # An ``Actor`` (or a user, or None for the system): who asked, for ``created_by`` and the audit log.
    actor: object | None = None
    # Leave a "credential.issued" audit row? None: when a person, an API key or the command line asked
    # (automatic triggers stay lean); False when the caller audits the whole change itself (a bulk
    # job, a correction).
    audit: bool | None = None
    # Certificate merge values beyond the standard ones (score, a bulk file's extra columns).
    merge_fields: dict | None = None
    # Defaults: the achievement's current version and its design's current version.
    achievement_version: object | None = None
    design_version: object | None = None
    # A status slot reserved in advance (bulk issuance reserves them in blocks).
    status_slot: tuple | None = None
    # When the recipient already holds an active credential for the achievement: "allow" issues another
    # (automatic triggers, "issue anyway"), "refuse" raises ``AlreadyHeld`` (the workspace form, the API,
    # the command line ask first).
    duplicates: str = "allow"


@metrics.timed_issuance  # credstack_issuance_seconds on /metrics
def issue_credential(request: IssueRequest | None = None, /, **fields) -> Credential:
    """Issue one credential. Pass an ``IssueRequest`` or its fields as keywords.

    With an ``idempotency_key``, issuing again returns the credential issued the first time.
    """
    req = request or IssueRequest(**fields)
    actor = as_actor(req.actor)
    audited = req.audit if req.audit is not None else actor.kind != "system"
    achievement = req.achievement
    org = achievement.organization
    name = clean_name(req.recipient_name, "recipient_name")
    email = clean_email(req.recipient_email, "recipient_email")

    if req.idempotency_key:
        existing = Credential.objects.filter(organization=org, idempotency_key=req.idempotency_key).first()
        if existing:
            return existing
    if req.duplicates not in ("allow", "refuse"):
        raise ValueError(f"duplicates must be 'allow' or 'refuse', not {req.duplicates!r}")
    if req.duplicates == "refuse":
        held = held_credential(achievement, email)
        if held is not None:
            raise AlreadyHeld(held)

    if req.achievement_version is None:  # as stored now (the caller's instance may be stale)
        achievement = Achievement.objects.select_related("organization").get(pk=achievement.pk)
    version = req.achievement_version or current_version(achievement)
    snapshot = dict(version.data)
    extra = snapshot.pop("extra", {}) or {}
    valid_for_months = snapshot.pop("valid_for_months", None)
    design_version = req.design_version
    if design_version is None:  # the achievement's design as it is now (the instance may be stale)
        design = Achievement.objects.select_related("design__current").get(pk=achievement.pk).design
        design_version = design.current if design is not None else None

    now = timezone.now().replace(microsecond=0)
    valid_until = req.valid_until
    if valid_until is None and valid_for_months:
        valid_until = add_months(now, valid_for_months)

    [(status_list, index)] = [req.status_slot] if req.status_slot else status_lists.allocate_slots(org, 1)
    key = active_key(org)
    credential = Credential(
        organization=org,
        achievement=achievement,
        recipient_name=name,
        recipient_email=email,
        status_list=status_list,
        status_index=index,
        issued_at=now,
        valid_until=valid_until,
        source=req.source,
        idempotency_key=req.idempotency_key or None,
        created_by=actor.user_or_none,
        achievement_version=version,
        design_version=design_version,
        merge_fields=dict(req.merge_fields or {}),
    )
    unsigned = ob3.compose(
        issuer=org.profile(),
        achievement=snapshot,
        recipient_email=email,
        recipient_name=name,
        credential_id=credential.uri,
        valid_from=now,
        valid_until=valid_until,
        result=req.result,
        evidence=req.evidence,
        activity_start=req.activity_start,
        activity_end=req.activity_end,
        status_entries=[vc_status.entry(status_list.url(p), index, p) for p in vc_status.ISSUED_PURPOSES],
    )
    unsigned["credentialSubject"]["achievement"].update(extra)
    # the proof as a list: the strict JSON binding of Open Badges 3.0 (decision 0032)
    signed = signing.sign(unsigned, key, created=now, as_list=True)  # raises if it does not verify
    credential.document = json.dumps(signed, ensure_ascii=False, separators=(",", ":"))

    try:
        with transaction.atomic():
            credential.save()
            CredentialEvent.objects.create(
                credential=credential, kind="issued", actor=credential.created_by, note=f"via {req.source}"
            )
            if audited:
                audit.record(org, actor, "credential.issued", credential.public_id, email)
            # email, webhooks, pathways: rows of this transaction, delivered after it (decision 0036)
            outbox.emit(
                ISSUED,
                {"credential": credential.pk, "organization": org.pk},
                key=f"{ISSUED}:{credential.public_id}",
            )
    except IntegrityError:
        if req.idempotency_key:
            return Credential.objects.get(organization=org, idempotency_key=req.idempotency_key)
        raise
    log.info("credential issued: %s (%s)", credential.public_id, achievement.slug)
    return credential


def _state_changed(cred: Credential, event: str) -> None:
    """Inside the change's transaction: the effect ``credential.state_changed`` (see ``signals.py``)."""
    outbox.emit(
        STATE_CHANGED,
        {"credential": cred.pk, "organization": cred.organization_id, "event": event, "state": cred.state},
    )


REASON_MAX = 2000


def _clean_reason(reason: str | None, *, required: str = "") -> str:
    """A reason as the history and the credential's page show it; ``required``: the error if empty."""
    reason = (reason or "").strip()
    if required and not reason:
        raise ValidationError({"reason": required})
    if len(reason) > REASON_MAX:
        raise ValidationError({"reason": f"is too long (at most {REASON_MAX} characters)"})
    if "\x00" in reason:
        raise ValidationError({"reason": "contains a NUL character (U+0000), which is not accepted"})
    return reason


def _change_state(
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
            raise CredentialStateError(f"credential {cred.public_id} is {cred.state}; cannot {verb} it")
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
        _state_changed(cred, event)
    log.info("credential %s: %s", event, cred.public_id)
    return cred


def revoke_credential(credential: Credential, *, reason: str = "", actor=None) -> Credential:
    """Revoke for good: the revocation bit is set and the list re-signed. A reason is required: it is
    shown on the credential's page to everyone who checks it."""
    return _change_state(
        credential,
        allowed={"active", "suspended"},
        new_state="revoked",
        purpose="revocation",
        bit=True,
        event="revoked",
        verb="revoke",
        actor=as_actor(actor),
        note=_clean_reason(reason, required="a reason is required to revoke"),
        audit_action="credential.revoke",
    )


def suspend_credential(credential: Credential, *, reason: str = "", actor=None) -> Credential:
    return _change_state(
        credential,
        allowed={"active"},
        new_state="suspended",
        purpose="suspension",
        bit=True,
        event="suspended",
        verb="suspend",
        actor=as_actor(actor),
        note=_clean_reason(reason),
        audit_action="credential.suspend",
    )


def reinstate_credential(credential: Credential, *, reason: str = "", actor=None) -> Credential:
    return _change_state(
        credential,
        allowed={"suspended"},
        new_state="active",
        purpose="suspension",
        bit=False,
        event="reinstated",
        verb="reinstate",
        actor=as_actor(actor),
        note=_clean_reason(reason),
        audit_action="credential.reinstate",
    )


# ---- corrections, expiry, resend (the workspace's per-credential actions) --------------------------


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
    reason = _clean_reason(reason, required="is required")
    old = Credential.objects.select_related("achievement__organization").get(pk=credential.pk)
    if old.state == Credential.State.REVOKED:
        raise CredentialStateError(f"credential {old.public_id} is revoked; it cannot be corrected")
    name = clean_name(recipient_name if recipient_name is not None else old.recipient_name, "recipient_name")
    email = clean_email(
        recipient_email if recipient_email is not None else old.recipient_email, "recipient_email"
    )
    if name == old.recipient_name and email == old.recipient_email:
        raise ValidationError({"recipient_name": "is unchanged: change the name or the email to correct"})
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
        locked = Credential.objects.select_for_update().get(pk=old.pk)
        if locked.state == Credential.State.REVOKED:  # lost a race: undo nothing, report it
            raise CredentialStateError(f"credential {old.public_id} was revoked meanwhile")
        _change_state(
            locked,
            allowed={"active", "suspended"},
            new_state="revoked",
            purpose="revocation",
            bit=True,
            event="replaced",
            verb="correct",
            actor=who,
            note=f"Replaced by {new.uri}: {reason}",
        )
        Credential.objects.filter(pk=old.pk).update(replaced_by=new)
        pagecache.credentials_changed(
            [old.public_id]
        )  # update() sends no post_save; the page says "Replaced"
        audit.record(
            old.organization,
            who,
            "credential.corrected",
            old.public_id,
            f"replaced by {new.public_id}: {reason}",
        )
    log.info("credential %s replaced by %s", old.public_id, new.public_id)
    return new


def replace_credential(old: Credential, request: IssueRequest, *, reason: str = "") -> Credential:
    """Issue ``request`` and retire ``old`` (the credential the recipient held for the achievement): the
    old one is revoked with the reason "Replaced by <new URL>", points at its replacement and gets a
    "replaced" event, as a correction does. One audit row, "credential.replaced", besides the issue's."""
    who = as_actor(request.actor)
    reason = _clean_reason(reason)
    current = Credential.objects.select_related("organization").get(pk=old.pk)
    if current.state == Credential.State.REVOKED:
        raise CredentialStateError(f"credential {current.public_id} is revoked; there is nothing to replace")
    if current.achievement_id != request.achievement.pk:
        raise ValidationError({"achievement": "the credential replaced must be for the same achievement"})
    new = issue_credential(replace(request, duplicates="allow"))
    with transaction.atomic():
        locked = Credential.objects.select_for_update().get(pk=old.pk)
        if locked.state == Credential.State.REVOKED:  # lost a race: the new one stands, report it
            raise CredentialStateError(f"credential {old.public_id} was revoked meanwhile")
        _change_state(
            locked,
            allowed={"active", "suspended"},
            new_state="revoked",
            purpose="revocation",
            bit=True,
            event="replaced",
            verb="replace",
            actor=who,
            note=f"Replaced by {new.uri}" + (f": {reason}" if reason else ""),
        )
        Credential.objects.filter(pk=old.pk).update(replaced_by=new)
        audit.record(
            current.organization, who, "credential.replaced", old.public_id, f"replaced by {new.public_id}"
        )
    log.info("credential %s replaced by %s", old.public_id, new.public_id)
    return new


def change_expiry(
    credential: Credential, *, valid_until: datetime | None, actor=None, note: str = ""
) -> Credential:
    """Change when a credential expires: it is re-signed under the same id and status entry.

    The credential's URL does not change and serves the re-signed document; see
    docs/decisions/0006-issuer-workspace.md for why (and for what happens to copies already downloaded).
    A new expiry in the past is announced to webhook subscribers by ``announce_expired`` again.
    """
    who = as_actor(actor)
    note = _clean_reason(note)
    with transaction.atomic():
        cred = Credential.objects.select_for_update().select_related("organization").get(pk=credential.pk)
        if cred.state == Credential.State.REVOKED:
            raise CredentialStateError(f"credential {cred.public_id} is revoked; its expiry cannot change")
        if valid_until is not None:
            valid_until = valid_until.replace(microsecond=0)
            if valid_until <= cred.issued_at:
                raise ValidationError({"valid_until": "must be after the issue date"})
        old = cred.valid_until
        doc = cred.signed()
        doc.pop("proof", None)
        if valid_until is None:
            doc.pop("validUntil", None)
        else:
            doc["validUntil"] = vc_dates.format_datetime(valid_until)
        key = active_key(cred.organization)
        now = timezone.now().replace(microsecond=0)
        signed = signing.sign(doc, key, created=now, as_list=True)  # raises if it does not verify
        cred.document = json.dumps(signed, ensure_ascii=False, separators=(",", ":"))
        cred.valid_until = valid_until
        cred.expiry_announced_at = None  # the new expiry, when it comes, is announced again
        cred.save(update_fields=["document", "valid_until", "expiry_announced_at"])
        fmt = lambda d: d.date().isoformat() if d else "never"  # noqa: E731
        change = f"{fmt(old)} -> {fmt(valid_until)}" + (f": {note}" if note else "")
        CredentialEvent.objects.create(
            credential=cred, kind=CredentialEvent.Kind.EXPIRY_CHANGED, actor=who.user_or_none, note=change
        )
        audit.record(cred.organization, who, "credential.expiry", cred.public_id, change)
        _state_changed(cred, "expiry_changed")
    return cred


def resend_credential(credential: Credential, *, actor=None) -> None:
    """Email the credential's links to the recipient again, through the delivery app (branded
    templates, open/click tracking; it receives ``signals.resend_requested``); a DELIVERED event follows."""
    with transaction.atomic():
        cred = Credential.objects.select_related("organization").get(pk=credential.pk)
        if not signals.resend_requested.send(sender=Credential, credential=cred):
            raise RuntimeError("no installed app sends credential emails (add credstack.delivery)")
        audit.record(
            cred.organization,
            as_actor(actor),
            "credential.resend",
            cred.public_id,
            f"to {cred.recipient_email}",
        )


# ---- visibility (the holder decides whether the public page shows who they are) -------------------


def set_visibility(credential: Credential, public: bool, *, actor=None) -> Credential:
    """Public: anyone with the link sees the page; private: strangers see nothing personal.
    Changing it leaves an audit row for the issuing organization; setting it as it is changes nothing."""
    who = as_actor(actor)
    with transaction.atomic():
        cred = Credential.objects.select_for_update().select_related("organization").get(pk=credential.pk)
        if cred.is_public != public:
            cred.is_public = public
            cred.save(update_fields=["is_public"])
            audit.record(
                cred.organization,
                who,
                "credential.visibility",
                cred.public_id,
                "public" if public else "private",
            )
    return cred


def make_private(credentials, *, actor=None, why: str = "") -> int:
    """Make every credential of ``credentials`` (a queryset) private at once, e.g. when the holder
    deletes their portal account; one audit row per organization concerned. Returns how many changed."""
    who = as_actor(actor)
    with transaction.atomic():
        ids = list(credentials.filter(is_public=True).values_list("id", flat=True))
        changed = Credential.objects.filter(id__in=ids).update(is_public=False)
        # update() sends no post_save: the cached public pages of these credentials end at the commit
        pagecache.credentials_changed(
            Credential.objects.filter(id__in=ids).values_list("public_id", flat=True)
        )
        by_org: dict[int, int] = {}
        for org_id in Credential.objects.filter(id__in=ids).values_list("organization_id", flat=True):
            by_org[org_id] = by_org.get(org_id, 0) + 1
        for org in Organization.objects.filter(pk__in=by_org):
            detail = f"{by_org[org.pk]} credential(s)" + (f": {why}" if why else "")
            audit.record(org, who, "credentials.made_private", "", detail)
    return changed


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
                _state_changed(cred, "expired")
