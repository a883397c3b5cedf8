"""What the issuance pipeline takes and gives: an ``IssueRequest``, its ``IssueResult``, and the
per-request rules (``check``) every request passes before anything is reserved or signed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError

from credstack.achievements.models import Achievement

from ..models import Credential
from ..validation import clean_email, clean_name


class AlreadyHeld(Exception):
    """The recipient already holds an active credential for this achievement (``existing``); issuing
    again needs the caller to say so (``IssueRequest.duplicates="allow"``)."""

    def __init__(self, existing: Credential) -> None:
        self.existing = existing
        super().__init__(
            f"{existing.recipient_email} already holds an active credential for "
            f"{existing.achievement.name}: {existing.public_id} (issued {existing.issued_at.date().isoformat()})"
        )


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
class Checked:
    """A request that passed ``check``: its cleaned values."""

    result: IssueResult
    name: str
    email: str
    # the status slot it is issued on: the request's own, else reserved when the batch is composed
    slot: tuple | None = None


def check(req: IssueRequest) -> Checked:
    """The per-request rules, in one place: raises ValidationError({field: message}) for a request that
    cannot be issued (the batch reports it and issues the others). Returns the cleaned values."""
    if req.duplicates not in ("allow", "refuse"):
        raise ValueError(f"duplicates must be 'allow' or 'refuse', not {req.duplicates!r}")
    return Checked(
        IssueResult(req),
        clean_name(req.recipient_name, "recipient_name"),
        clean_email(req.recipient_email, "recipient_email"),
        req.status_slot,
    )
