"""Every write to a credential goes through here.

Issuance is one pipeline for every trigger (command line, form, CSV, API, webhook, course,
pathway), batch-native (decision 0045): ``issue_credentials(requests)``; a single issue is a batch of
one. Validate each request -> reserve the batch's status slots -> compose -> sign and check what was
signed -> persist in bulk, one transaction -> after commit, the outbox's consumers deliver.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import NamedTuple

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django_tasks import task

from credstack import metrics
from credstack.achievements.actions import current_version
from credstack.achievements.models import Achievement
from credstack.organizations import audit, signing
from credstack.organizations.actions import active_key, rotate_key
from credstack.organizations.actors import Actor, as_actor
from credstack.organizations.models import Organization, SigningKey
from credstack.outbox import actions as outbox
from credstack.vc import dates as vc_dates
from credstack.vc import ob3
from credstack.vc import status as vc_status

from . import pagecache, signals, status_lists
from .carried import carried
from .models import Credential, CredentialEvent
from .signals import ISSUED, STATE_CHANGED
from .validation import clean_email, clean_name

log = logging.getLogger(__name__)


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


class Held(NamedTuple):
    """What a bulk dry run says of a credential already held."""

    public_id: str
    issued_at: datetime


def held_credentials(achievement: Achievement) -> dict[str, Held]:
    """Every holder of ``achievement`` (lower-cased email -> their newest active credential), for a
    bulk upload's dry run: the same rule as ``issue_credential``'s. Tuples, not model objects: a file
    sent again over 100,000 holders held 270 MB of them (benchmarks/bulk.py, decision 0048)."""
    held: dict[str, Held] = {}
    rows = _held(achievement).values_list("recipient_email", "public_id", "issued_at")
    for email, public_id, issued_at in rows.iterator(chunk_size=2000):
        held.setdefault(email.lower(), Held(public_id, issued_at))
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


@dataclass
class IssueResult:
    """What became of one request of a batch: its credential, or why it was refused."""

    request: IssueRequest
    credential: Credential | None = None
    # ValidationError({field: [messages]}): which field, and why; AlreadyHeld: the recipient holds it and
    # the request said "refuse"; nothing was issued for this request
    error: ValidationError | AlreadyHeld | None = None
    # True: the credential was issued earlier (or earlier in the batch) under the same idempotency key
    existing: bool = False


@dataclass
class _Checked:
    """A request that passed ``_check``: its cleaned values."""

    result: IssueResult
    name: str
    email: str
    # the status slot it is issued on: the request's own, else reserved when the batch is composed
    slot: tuple | None = None


def _check(req: IssueRequest) -> _Checked:
    """The per-request rules, in one place: raises ValidationError({field: message}) for a request that
    cannot be issued (the batch reports it and issues the others). Returns the cleaned values."""
    if req.duplicates not in ("allow", "refuse"):
        raise ValueError(f"duplicates must be 'allow' or 'refuse', not {req.duplicates!r}")
    return _Checked(
        IssueResult(req),
        clean_name(req.recipient_name, "recipient_name"),
        clean_email(req.recipient_email, "recipient_email"),
        req.status_slot,
    )


# Signing processes for a large batch (decisions 0045, 0066): 1 signs in the issuing process.
def signing_processes() -> int:
    return int(getattr(settings, "CREDSTACK_SIGNING_PROCESSES", 1))


@metrics.timed_issuance  # credstack_issuance_seconds on /metrics (one credential's latency)
def issue_credential(request: IssueRequest | None = None, /, **fields) -> Credential:
    """Issue one credential: a batch of one (``issue_credentials``). Pass an ``IssueRequest`` or its
    fields as keywords. Raises ValidationError for a bad request.

    With an ``idempotency_key``, issuing again returns the credential issued the first time.
    """
    [result] = issue_credentials([request or IssueRequest(**fields)])
    if result.error is not None:
        raise result.error
    assert result.credential is not None
    return result.credential


def issue_credentials(requests: Sequence[IssueRequest]) -> list[IssueResult]:
    """Issue a batch: the one issuance pipeline (a single issue is a batch of one). One result per
    request, in order.

    1. validate each request (``_check``): a bad one gets its error (which field, why) in its result and
       is left out; the others are issued (nothing is reserved for a refused request);
    2. requests whose idempotency key was used before (or earlier in this batch) get that credential;
    3. in one transaction: reserve the batch's status slots in one step, compose, sign (one loaded key;
       worker processes for large batches when ``CREDSTACK_SIGNING_PROCESSES`` > 1), insert the
       credentials, their "issued" events, the audit rows and the outbox rows (one per consumer per
       credential) with bulk inserts. A failure anywhere rolls the whole batch back, slots included: a
       status index is never consumed without its credential, and none is ever shared (the unique
       constraint on list and index). A concurrent insert of the same idempotency key rolls the batch
       back and runs it once more, finding that credential by its key.

    A batch of any size takes a constant number of queries per organization and achievement.
    """
    return _issue(list(requests), retry=True)


def _issue(requests: list[IssueRequest], *, retry: bool) -> list[IssueResult]:
    batch = Batch(requests)
    if not batch.todo:
        return batch.finish()
    try:
        with transaction.atomic():
            batch.compose()  # the slots are reserved inside this transaction: a rollback gives them back
            batch.sign(signing_processes())
            batch.insert()
    except IntegrityError:
        # another process inserted one of these idempotency keys meanwhile: nothing of ours committed
        if not retry or not any(c.result.request.idempotency_key for c in batch.todo):
            raise
        again = _issue([c.result.request for c in batch.todo], retry=False)
        for c, res in zip(batch.todo, again, strict=True):
            c.result.credential, c.result.error, c.result.existing = res.credential, res.error, res.existing
    return batch.finish()


# Reserves status slots for requests of one organization: (org, requests) -> one (list, index) each.
Reserve = Callable[[Organization, list[IssueRequest]], list[tuple]]


class Batch:
    """A batch on its way through the stages of the one pipeline (decision 0066). ``issue_credentials``
    runs them in one transaction; the bulk job runs them apart so that two cores work (it composes and
    inserts one chunk while the next is signed in the signing processes):

    1. ``Batch(requests)`` checks (validation, idempotency keys, "already held", versions): reads only;
       ``todo`` is what is left to issue, ``results`` one result per request;
    2. ``compose(reserve)``: reserve the status slots of the requests that bring none — in the caller's
       transaction (``allocate_slots``), or by ``reserve`` — and compose the documents;
    3. ``sign(processes)``: start signing (and checking) them; ``wait()`` for the signatures;
    4. ``insert()`` inside the caller's transaction: credentials, events, audit and outbox rows;
    5. ``finish()``: the results, repeats of a key within the batch filled in.
    """

    def __init__(self, requests: Sequence[IssueRequest]) -> None:
        self.results: list[IssueResult] = []
        todo: list[_Checked] = []
        for req in requests:
            try:
                checked = _check(req)
            except ValidationError as exc:
                self.results.append(IssueResult(req, error=exc))
                continue
            self.results.append(checked.result)
            todo.append(checked)
        todo, self._repeats = _take_existing(todo)
        self.todo = _refuse_held(todo)
        self._versions = _versions(self.todo) if self.todo else {}
        self._groups: list[_Group] = []

    def compose(self, reserve: Reserve | None = None) -> None:
        now = timezone.now().replace(microsecond=0)
        by_org: dict[int, list[_Checked]] = {}
        for c in self.todo:
            org_id = self._versions[_version_key(c.result.request)].achievement.organization_id
            by_org.setdefault(org_id, []).append(c)
        self._groups = [_compose(group, self._versions, now, reserve) for group in by_org.values()]

    def sign(self, processes: int = 1) -> None:
        # the proof as a list: the strict JSON binding of Open Badges 3.0 (decision 0032); each
        # signature is checked before it is used (``wait`` raises otherwise, and nothing is inserted)
        for group in self._groups:
            group.signing = group.signer.submit(
                group.unsigned, created=group.now, as_list=True, processes=processes
            )
            group.unsigned = []

    def wait(self) -> None:
        for group in self._groups:
            assert group.signing is not None
            for credential, document in zip(group.credentials, group.signing.result(), strict=True):
                credential.document = document

    def cancel(self) -> None:
        for group in self._groups:
            if group.signing is not None:
                group.signing.cancel()

    def insert(self) -> None:
        self.wait()
        for group in self._groups:
            _insert(group)

    def finish(self) -> list[IssueResult]:
        for first, later in self._repeats:
            later.result.credential, later.result.existing = first.result.credential, True
        return self.results


def _refuse_held(todo: list[_Checked]) -> list[_Checked]:
    """Requests that say ``duplicates="refuse"`` for a recipient who already holds an active credential
    of the achievement get ``AlreadyHeld`` (after the idempotency keys: a retry returns its credential,
    not a refusal). One query per achievement the batch names (ids only), and one for the credentials
    held, when a recipient holds one."""
    asking = [c for c in todo if c.result.request.duplicates == "refuse"]
    if not asking:
        return todo
    emails: dict[int, set[str]] = {}
    achievements: dict[int, Achievement] = {}
    for c in asking:
        achievement = c.result.request.achievement
        achievements[achievement.pk] = achievement
        emails.setdefault(achievement.pk, set()).add(c.email.lower())
    newest: dict[int, dict[str, int]] = {}
    for pk, wanted in emails.items():
        found = newest.setdefault(pk, {})
        # not joined with the achievement: joined, SQLite walks every credential of the achievement
        # instead of the lower-cased email index (3.6 ms at 2,000 holders, and growing; decision 0068)
        for credential_pk, email in (
            _held(achievements[pk])
            .select_related(None)
            .annotate(email=Lower("recipient_email"))
            .filter(email__in=wanted)
            .values_list("pk", "email")
        ):
            found.setdefault(email, credential_pk)  # the newest first
    wanted_pks = [credential_pk for found in newest.values() for credential_pk in found.values()]
    loaded = Credential.objects.in_bulk(wanted_pks) if wanted_pks else {}
    holders: dict[int, dict[str, Credential]] = {}
    for pk, found in newest.items():
        for email, credential_pk in found.items():
            credential = loaded.get(credential_pk)
            if credential is not None:  # not deleted meanwhile
                credential.achievement = achievements[pk]  # what AlreadyHeld names
                holders.setdefault(pk, {})[email] = credential
    left = []
    for c in todo:
        held = holders.get(c.result.request.achievement.pk, {}).get(c.email.lower())
        if c.result.request.duplicates == "refuse" and held is not None:
            c.result.error = AlreadyHeld(held)
        else:
            left.append(c)
    return left


def _take_existing(todo: list[_Checked]) -> tuple[list[_Checked], list[tuple[_Checked, _Checked]]]:
    """Requests whose idempotency key was used before get that credential. Returns the requests left to
    issue, and the (first, repeat) pairs of a key repeated within the batch (the repeat gets the
    credential of the first once it is issued)."""
    keyed = [c for c in todo if c.result.request.idempotency_key]
    if not keyed:
        return todo, []
    orgs = {c.result.request.achievement.organization_id for c in keyed}
    keys = {c.result.request.idempotency_key for c in keyed}
    found = {
        (cred.organization_id, cred.idempotency_key): cred
        for cred in Credential.objects.filter(organization_id__in=orgs, idempotency_key__in=keys)
    }
    left: list[_Checked] = []
    first: dict[tuple, _Checked] = {}
    repeats: list[tuple[_Checked, _Checked]] = []
    for c in todo:
        req = c.result.request
        key = (req.achievement.organization_id, req.idempotency_key)
        if not req.idempotency_key:
            left.append(c)
        elif key in found:
            c.result.credential, c.result.existing = found[key], True
        elif key in first:
            repeats.append((first[key], c))
        else:
            first[key] = c
            left.append(c)
    return left, repeats


@dataclass
class _Version:
    """What credentials of one achievement are issued with, loaded once per batch."""

    achievement: Achievement
    version: object
    snapshot: dict
    extra: dict
    valid_for_months: int | None
    design_version: object | None


def _versions(todo: list[_Checked]) -> dict[tuple, _Version]:
    """The achievement version and design version of each request, one query for every achievement
    the batch names (as stored now: the caller's instances may be stale) plus ``current_version``."""
    fresh_ids = {
        c.result.request.achievement.pk
        for c in todo
        if c.result.request.achievement_version is None or c.result.request.design_version is None
    }
    fresh = (
        Achievement.objects.select_related("organization", "design__current").in_bulk(fresh_ids)
        if fresh_ids
        else {}
    )
    out: dict[tuple, _Version] = {}
    for c in todo:
        req = c.result.request
        vkey = _version_key(req)
        if vkey in out:
            continue
        achievement = req.achievement if req.achievement_version is not None else fresh[req.achievement.pk]
        version = req.achievement_version or current_version(achievement)
        snapshot = dict(version.data)  # type: ignore[attr-defined]
        extra = snapshot.pop("extra", {}) or {}
        valid_for_months = snapshot.pop("valid_for_months", None)
        design_version = req.design_version
        if design_version is None:
            design = fresh[req.achievement.pk].design
            design_version = design.current if design is not None else None
        out[vkey] = _Version(achievement, version, snapshot, extra, valid_for_months, design_version)
    return out


def _version_key(req: IssueRequest) -> tuple:
    return (
        req.achievement.pk,
        getattr(req.achievement_version, "pk", None),
        getattr(req.design_version, "pk", None),
    )


def issuing_language(achievement_language: str | None, org: Organization) -> str | None:
    """The language a credential's text is in (decision 0056): the achievement's ``inLanguage`` when it
    is a well-formed tag, else the organization's language for learners, else none declared."""
    for tag in (achievement_language, org.language):
        if tag and ob3.LANGUAGE_TAG.fullmatch(tag):
            return tag
    return None


@dataclass
class _Group:
    """The part of a batch for one organization, composed: one signer, its credentials and documents."""

    org: Organization
    checked: list[_Checked]
    signer: signing.Signer
    now: datetime
    credentials: list[Credential]
    unsigned: list[dict]
    signing: signing.Signing | None = None


def _compose(
    group: list[_Checked], versions: dict[tuple, _Version], now: datetime, reserve: Reserve | None
) -> _Group:
    org = versions[_version_key(group[0].result.request)].achievement.organization
    signer = signing.Signer(active_key(org))
    # the batch's slots in one step: inside the caller's transaction (a rollback gives them back), or
    # by the caller's ``reserve`` (the bulk job records each on its row, decision 0066)
    wanted = [c for c in group if not c.slot]
    if wanted:
        requests = [c.result.request for c in wanted]
        slots = reserve(org, requests) if reserve else status_lists.allocate_slots(org, len(wanted))
        for c, slot in zip(wanted, slots, strict=True):
            c.slot = slot
    credentials: list[Credential] = []
    unsigned: list[dict] = []
    # the organization's own domain, if it has one, carries the new credentials' links (decision 0049)
    origin = "" if org.public_origin == settings.CREDSTACK_BASE_URL else org.public_origin
    # granted, still valid endorsements of the issuer and of the batch's achievements (decision 0062)
    endorsed = carried(org.pk, {versions[_version_key(c.result.request)].achievement.pk for c in group})
    fitted: dict[int, tuple[list[dict], list[dict]]] = {}
    for c in group:
        req = c.result.request
        v = versions[_version_key(req)]
        actor = as_actor(req.actor)
        valid_until = req.valid_until
        if valid_until is None and v.valid_for_months:
            valid_until = add_months(now, v.valid_for_months)
        status_list, index = c.slot
        credential = Credential(
            organization=org,
            achievement=v.achievement,
            recipient_name=c.name,
            recipient_email=c.email,
            status_list=status_list,
            status_index=index,
            issued_at=now,
            valid_until=valid_until,
            source=req.source,
            idempotency_key=req.idempotency_key or None,
            created_by=actor.user_or_none,
            achievement_version=v.version,
            design_version=v.design_version,
            merge_fields=dict(req.merge_fields or {}),
            base_url=origin,
        )
        document = ob3.compose(
            issuer=org.profile(),
            achievement=v.snapshot,
            recipient_email=c.email,
            recipient_name=c.name,
            credential_id=credential.uri,
            valid_from=now,
            valid_until=valid_until,
            result=req.result,
            evidence=req.evidence,
            activity_start=req.activity_start,
            activity_end=req.activity_end,
            status_entries=[vc_status.entry(status_list.url(p), index, p) for p in vc_status.ISSUED_PURPOSES],
            language=issuing_language(v.extra.get("inLanguage"), org),
        )
        document["credentialSubject"]["achievement"].update(v.extra)
        if v.achievement.pk not in fitted:
            fitted[v.achievement.pk] = endorsed.fit(v.achievement.pk)
        of_achievement, of_issuer = fitted[v.achievement.pk]
        if of_achievement:
            document["credentialSubject"]["achievement"]["endorsement"] = of_achievement
        if of_issuer:
            document["issuer"]["endorsement"] = of_issuer
        credentials.append(credential)
        unsigned.append(document)
    return _Group(org, group, signer, now, credentials, unsigned)


def _insert(g: _Group) -> None:
    """The group's signed credentials, their events, audit and outbox rows: call inside a transaction."""
    org, credentials, group = g.org, g.credentials, g.checked
    Credential.objects.bulk_create(credentials)
    CredentialEvent.objects.bulk_create(
        CredentialEvent(
            credential=cred, kind="issued", actor=cred.created_by, note=f"via {c.result.request.source}"
        )
        for cred, c in zip(credentials, group, strict=True)
    )
    audited: dict[tuple, tuple[Actor, list[Credential]]] = {}
    for cred, c in zip(credentials, group, strict=True):
        req = c.result.request
        actor = as_actor(req.actor)
        if req.audit if req.audit is not None else actor.kind != "system":
            who = (actor.kind, actor.label, getattr(actor.user_or_none, "pk", None))
            audited.setdefault(who, (actor, []))[1].append(cred)
    for actor, creds in audited.values():
        audit.record_many(
            org, actor, "credential.issued", [(cred.public_id, cred.recipient_email) for cred in creds]
        )
    # email, webhooks, pathways: rows of this transaction, delivered after it (decision 0036)
    outbox.emit_many(
        ISSUED,
        [
            ({"credential": cred.pk, "organization": org.pk}, f"{ISSUED}:{cred.public_id}")
            for cred in credentials
        ],
    )
    # bulk_create sends no post_save, and no page cache invalidation is needed: nothing is cached for an
    # id that does not exist yet (pagecache stores no answer, and creates no token, for an unknown id)
    for cred, c in zip(credentials, group, strict=True):
        c.result.credential = cred
    log.info("credentials issued: %d (%s)", len(credentials), org.slug)


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
        raise ValidationError({"reason": _("is too long (at most %(n)s characters)") % {"n": REASON_MAX}})
    if "\x00" in reason:
        raise ValidationError({"reason": _("contains a NUL character (U+0000), which is not accepted")})
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
        note=_clean_reason(reason, required=_("a reason is required to revoke")),
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
    reason = _clean_reason(reason, required=_("is required"))
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
    _change_state(
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
    reason = _clean_reason(reason)
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
            raise CredentialStateError(
                _("credential %(id)s is revoked; its expiry cannot change") % {"id": cred.public_id}
            )
        if valid_until is not None:
            valid_until = valid_until.replace(microsecond=0)
            if valid_until <= cred.issued_at:
                raise ValidationError({"valid_until": _("must be after the issue date")})
        old = cred.valid_until
        doc = cred.signed()
        doc.pop("proof", None)
        if valid_until is None:
            doc.pop("validUntil", None)
        else:
            doc["validUntil"] = vc_dates.format_datetime(valid_until)
        key = active_key(cred.organization)
        now = timezone.now().replace(microsecond=0)
        # signed again under the DID it was issued by, whatever the organization's DID is now (0049)
        issuer = doc.get("issuer")
        controller = issuer.get("id") if isinstance(issuer, dict) else issuer
        # raises if it does not verify
        signed = signing.sign(doc, key, created=now, as_list=True, controller=controller or None)
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


def attach_endorsement(credential: Credential, endorsement: dict, *, actor=None) -> Credential:
    """Add a signed ``EndorsementCredential`` to the credential's ``endorsement`` list (Open Badges 3.0):
    the credential is signed again under the same id and status entry, as ``change_expiry`` does."""
    who = as_actor(actor)
    with transaction.atomic():
        cred = Credential.objects.select_for_update().select_related("organization").get(pk=credential.pk)
        doc = cred.signed()
        doc.pop("proof", None)
        doc["endorsement"] = [*doc.get("endorsement", []), endorsement]
        now = timezone.now().replace(microsecond=0)
        signed = signing.sign(doc, active_key(cred.organization), created=now, as_list=True)
        cred.document = json.dumps(signed, ensure_ascii=False, separators=(",", ":"))
        cred.save(update_fields=["document"])
        audit.record(cred.organization, who, "credential.endorsed", cred.public_id, endorsement.get("id", ""))
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


# ---- a leaked signing key (decision 0054) ---------------------------------------------------------

KEY_COMPROMISED = "organization.key_compromised"
RESIGN_BATCH = 200


def rotate_compromised_key(org: Organization, *, reason: str, actor=None) -> SigningKey:
    """The organization's active key leaked: a new key signs from now on, the old one leaves the DID
    document (nothing it signed verifies any more), the status lists are signed again at once, and
    every credential the old key signed is signed again by the new one, in batches, by a background
    task (``resign_compromised``), which the periodic job resumes if it stops. Returns the new key."""
    who = as_actor(actor)
    reason = _clean_reason(reason, required=_("say what happened to the key (it goes in the audit log)"))
    with transaction.atomic():
        old = active_key(org)
        key = rotate_key(org, actor=who, compromised=True, reason=reason)
        lists = status_lists.republish(org)
        audit.record(
            org,
            who,
            "credential.resign_started",
            old.fragment,
            f"status lists signed again: {lists}; credentials follow in the background",
        )
        outbox.emit(
            KEY_COMPROMISED, {"organization": org.pk, "key": old.pk}, key=f"{KEY_COMPROMISED}:{old.pk}"
        )
    log.warning(
        "signing key %s of %s marked compromised; %s signs from now on", old.fragment, org.slug, key.fragment
    )
    return key


def _signed_by(key: SigningKey):
    """Credentials of the key's organization whose proof names the key (the documents are compact JSON)."""
    return Credential.objects.filter(
        organization_id=key.organization_id,
        document__contains=f'"verificationMethod":"{key.verification_method}"',
    )


def resign_batch(key: SigningKey, size: int = RESIGN_BATCH) -> int:
    """Sign again, with the organization's active key, up to ``size`` credentials still signed by the
    compromised ``key``: one transaction, one signer, same ids and status entries. Returns how many."""
    with transaction.atomic():
        creds = list(_signed_by(key).select_for_update().order_by("id")[:size])
        if not creds:
            return 0
        signer = signing.Signer(active_key(key.organization))
        unsigned = []
        for cred in creds:
            doc = cred.signed()
            doc.pop("proof", None)
            unsigned.append(doc)
        now = timezone.now().replace(microsecond=0)
        # compact JSON, each signature checked (in the signing processes for a large batch)
        signed = signer.submit(unsigned, created=now, as_list=True, processes=signing_processes()).result()
        for cred, document in zip(creds, signed, strict=True):
            cred.document = document
        Credential.objects.bulk_update(creds, ["document"])
        note = f"signed again by {signer.key.fragment}: {key.fragment} was compromised"
        audit.record_many(
            key.organization,
            Actor.system("key compromise re-signing"),
            "credential.resigned",
            [(cred.public_id, note) for cred in creds],
        )
        pagecache.credentials_changed([cred.public_id for cred in creds])
    return len(creds)


def resign_compromised(key_id: int, size: int = RESIGN_BATCH) -> int:
    """Every credential the compromised key signed, signed again (batches of ``size``); safe to run
    twice and to resume: each batch takes what is still signed by the old key. Returns how many."""
    key = SigningKey.objects.select_related("organization").get(pk=key_id)
    if key.compromised_at is None:
        raise ValueError(f"key {key} is not marked compromised")
    total = 0
    while n := resign_batch(key, size):
        total += n
    with transaction.atomic():
        if SigningKey.objects.filter(pk=key.pk, resigned_at=None).update(resigned_at=timezone.now()):
            audit.record(
                key.organization,
                Actor.system("key compromise re-signing"),
                "credential.resign_finished",
                key.fragment,
                f"every credential {key.fragment} had signed is signed again",
            )
    log.info("key %s: %d credentials signed again", key, total)
    return total


@task()
def resign_compromised_task(key_id: int) -> int:
    """``resign_compromised`` run later: queued by the outbox consumer of ``rotate_compromised_key``."""
    return resign_compromised(key_id)


def key_compromised_effect(payload: dict, key: str) -> None:
    """Outbox consumer of KEY_COMPROMISED: queue the re-signing (idempotent: the task is)."""
    resign_compromised_task.enqueue(payload["key"])


def resume_resigning() -> int:
    """Periodic: finish the re-signing of any compromised key whose task stopped before the end."""
    pending = list(
        SigningKey.objects.filter(compromised_at__isnull=False, resigned_at=None).values_list("pk", flat=True)
    )
    return sum(resign_compromised(pk) for pk in pending)
