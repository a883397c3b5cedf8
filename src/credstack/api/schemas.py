"""The API's request and response schemas.

Handlers return model objects (or querysets); each response schema reads its fields from them, with
``Field(alias=...)`` for a renamed attribute (``id`` is ``public_id``) and a ``resolve_<field>`` static
method for a computed one, so every field of the JSON is defined once, here. The queries behind the
related objects a schema reads (``select_related``/``prefetch_related``) are the handlers' business.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated, Any

from django.utils import timezone
from ninja import Field, Schema
from pydantic import BeforeValidator
from typing_extensions import TypedDict

if TYPE_CHECKING:
    from credstack.achievements.models import Achievement
    from credstack.courses.models import Course
    from credstack.credentials.models import Credential
    from credstack.designs.models import Design
    from credstack.learning.models import Enrolment
    from credstack.pathways.models import Pathway
    from credstack.webhooks.models import WebhookEndpoint


def iso_datetime(value: object) -> datetime:
    """Only ISO 8601 strings (or datetimes), not the Unix numbers pydantic would also accept; returned in
    UTC (a date-time without an offset is taken as UTC). Python accepts offsets up to ±24 h, PostgreSQL only
    ±15:59, so the value is normalised here rather than handed on with its offset."""
    parsed = None
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            parsed = None
    if parsed is None:
        raise ValueError("must be an ISO 8601 date-time, e.g. 2027-06-30T00:00:00Z")
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    try:
        return parsed.astimezone(UTC)
    except OverflowError:
        raise ValueError("is out of range once converted to UTC (years 1 to 9999)") from None


IsoDateTime = Annotated[datetime, BeforeValidator(iso_datetime)]


class Recipient(Schema):
    name: str = Field(..., max_length=500, description="The learner's name as it appears on the credential")
    email: str = Field(..., max_length=254)


class ResultIn(Schema):
    value: str = Field(..., max_length=200, description="e.g. a score such as '92'")
    result_description: str | None = Field(
        None,
        alias="resultDescription",
        max_length=2000,
        pattern=r"^[A-Za-z][A-Za-z0-9+.\-]*:[^\s]+$",
        description="the id (a URI) of the ResultDescription this result answers, as Open Badges 3.0 defines "
        "it; not free text",
    )


class EvidenceIn(Schema):
    id: str | None = Field(None, max_length=2000, description="URL of the evidence")
    name: str | None = Field(None, max_length=500)
    narrative: str | None = Field(None, max_length=5000)


class IssueIn(Schema):
    achievement: str = Field(..., max_length=64, description="the achievement's id or slug")
    recipient: Recipient
    valid_until: IsoDateTime | None = None
    result: list[ResultIn] | None = Field(None, max_length=20)
    evidence: list[EvidenceIn] | None = Field(None, max_length=20)
    activity_start: IsoDateTime | None = None
    activity_end: IsoDateTime | None = None
    allow_duplicate: bool = Field(
        False,
        description="issue even when the recipient already holds an active credential for this "
        "achievement; without it that request gets 409 (problem type already-held) naming the credential "
        "held. A retry with the same Idempotency-Key returns the credential it issued, never 409.",
    )


class ReasonIn(Schema):
    reason: str = Field("", max_length=2000)


class RevokeIn(Schema):
    # Checked by the action, as for the workspace and the command line (the same error): required.
    reason: str = Field("", max_length=2000, description="required: shown on the credential's page")


class AchievementOut(Schema):
    id: str = Field(..., alias="public_id")
    slug: str
    name: str
    description: str
    criteria_narrative: str
    criteria_url: str
    achievement_type: str
    tags: list[str]
    alignments: list[dict]
    valid_for_months: int | None
    url: str = Field(..., alias="uri")


class AchievementRef(Schema):
    id: str = Field(..., alias="public_id")
    slug: str
    name: str


class Links(TypedDict):
    """A credential's permanent links (a TypedDict: ``json`` would shadow a BaseModel method)."""

    page: str
    json: str


class CredentialOut(Schema):
    # Reads ``achievement`` and ``replaced_by``: select them with the credential.
    id: str = Field(..., alias="public_id")
    url: str = Field(..., alias="uri")
    achievement: AchievementRef
    recipient: Recipient
    state: str
    issued_at: datetime
    valid_until: datetime | None
    revoked_at: datetime | None
    revocation_reason: str
    replaced_by: str | None
    links: Links

    @staticmethod
    def resolve_recipient(c: Credential) -> dict[str, str]:
        return {"name": c.recipient_name, "email": c.recipient_email}

    @staticmethod
    def resolve_replaced_by(c: Credential) -> str | None:
        return c.replaced_by.uri if c.replaced_by is not None else None

    @staticmethod
    def resolve_links(c: Credential) -> dict[str, str]:
        return {"page": c.uri, "json": f"{c.uri}.json"}


class CredentialDetail(CredentialOut):
    credential: dict = Field(..., description="the signed Open Badges 3.0 credential")

    @staticmethod
    def resolve_credential(c: Credential) -> dict[str, Any]:
        return c.signed()


class CredentialPage(Schema):
    items: list[CredentialOut]
    next_cursor: str | None = Field(None, description="pass as ?cursor= for the next page; null on the last")


class WebhookEndpointIn(Schema):
    url: str = Field(..., max_length=2000)
    event_types: list[str] = Field(default_factory=list, description="empty: every event")
    description: str = Field("", max_length=200)


class WebhookEndpointPatch(Schema):
    url: str | None = Field(None, max_length=2000)
    event_types: list[str] | None = None
    description: str | None = Field(None, max_length=200)
    enabled: bool | None = None


class WebhookEndpointOut(Schema):
    id: str = Field(..., alias="public_id")
    url: str
    event_types: list[str]
    description: str
    enabled: bool
    disabled_reason: str
    disabled_at: datetime | None = Field(
        None, description="when it was turned off (by an admin or after failing)"
    )
    previous_secret_expires_at: datetime | None = Field(
        None,
        description="after a rotation: deliveries also carry a signature with the previous secret until then",
    )
    created_at: datetime

    @staticmethod
    def resolve_previous_secret_expires_at(endpoint: WebhookEndpoint) -> datetime | None:
        signs = endpoint.previous_secret_signs(timezone.now())
        return endpoint.previous_secret_expires_at if signs else None


class WebhookEndpointCreated(WebhookEndpointOut):
    secret: str = Field(..., description="the signing secret (whsec_...); shown only in this response")


class WebhookRedeliveryQueued(Schema):
    queued: list[int] = Field(..., description="ids of the deliveries queued again, oldest first")


class WebhookDeliveryOut(Schema):
    # Reads ``message``: select it with the delivery.
    id: int
    event_type: str = Field(..., alias="message.event_type")
    webhook_id: str = Field(..., alias="message.msg_id")
    state: str
    attempts: int
    last_status_code: int | None
    last_error: str
    last_attempt_at: datetime | None
    next_attempt_at: datetime | None
    delivered_at: datetime | None


class CourseOut(Schema):
    id: str = Field(..., alias="public_id")
    slug: str
    title: str
    summary: str
    status: str
    language: str
    lessons: int
    achievement: AchievementRef | None
    url: str

    @staticmethod
    def resolve_lessons(c: Course) -> int:
        version = c.latest_version
        return len(version.lessons) if version else c.lessons.count()


class LearnerRef(Schema):
    email: str
    name: str


class EnrolmentIn(Schema):
    email: str = Field(..., max_length=254)
    name: str = Field("", max_length=500)


class EnrolmentOut(Schema):
    # Reads ``learner`` and ``credential``: select them with the enrolment.
    id: str = Field(..., alias="public_id")
    learner: LearnerRef
    status: str
    source: str
    enrolled_at: datetime
    completed_at: datetime | None
    last_activity_at: datetime | None
    average_score: int | None
    credential: str | None

    @staticmethod
    def resolve_credential(e: Enrolment) -> str | None:
        return e.credential.uri if e.credential is not None else None


class ComponentOut(Schema):
    achievement_id: str
    name: str
    held: bool
    credential_url: str | None


class PathwayOut(Schema):
    # Reads ``achievement`` and ``components`` (each with its achievement): fetch them with the pathway.
    id: str = Field(..., alias="public_id")
    name: str = Field(..., alias="achievement.name")
    achievement: AchievementRef
    rule: str
    required_count: int | None
    ordered: bool
    window_days: int | None
    revocation_policy: str
    components: list[AchievementRef]

    @staticmethod
    def resolve_components(p: Pathway) -> list[Achievement]:
        return [c.achievement for c in p.components.all()]  # in the components' order


class PathwayProgressOut(Schema):
    pathway_id: str
    email: str
    held: int
    needed: int
    total: int
    complete: bool
    credential_url: str | None
    credential_state: str | None
    components: list[ComponentOut]


class RecipientOut(Schema):
    email: str
    name: str
    credentials: int
    last_issued_at: datetime


class BatchRecipient(Schema):
    name: str = Field(..., max_length=500)
    email: str = Field(..., max_length=254)
    score: str | None = Field(None, max_length=50)
    fields: dict[str, str] = Field(default_factory=dict, description="extra merge fields for the certificate")


class BatchIn(Schema):
    achievement: str = Field(..., max_length=64, description="the achievement's id or slug")
    recipients: list[BatchRecipient] = Field(..., min_length=1, max_length=10_000)
    skip_invalid: bool = Field(False, description="issue the valid rows even when some are invalid")


class BatchRowOut(Schema):
    row: int
    name: str
    email: str
    outcome: str
    problems: list[dict]
    credential: str | None

    @staticmethod
    def resolve_row(r: Any) -> int:  # a workspace.models.BulkRow (not imported here: layers)
        return r.number - 1  # rows are numbered as lines of a file whose first line names the columns

    @staticmethod
    def resolve_credential(r: Any) -> str | None:
        return r.credential.uri if r.credential is not None else None


class BatchOut(Schema):
    # Reads ``achievement`` and ``rows`` (each with its credential): fetch them with the job.
    id: str = Field(..., alias="public_id")
    achievement: AchievementRef
    state: str
    total: int
    valid: int
    issued: int
    skipped: int
    failed: int
    percent: int
    error: str
    created_at: datetime
    finished_at: datetime | None
    rows: list[BatchRowOut]

    @staticmethod
    def resolve_rows(job: Any) -> list[Any]:  # a workspace.models.BulkJob
        return list(job.rows.all())  # in the rows' order


class CorrectIn(Schema):
    recipient_name: str | None = Field(None, max_length=500)
    recipient_email: str | None = Field(None, max_length=254)
    # Checked by the action, as for the workspace and the command line (the same error): required.
    reason: str = Field("", max_length=2000, description="required: why the credential is corrected")


class ExpiryIn(Schema):
    valid_until: IsoDateTime | None = Field(..., description="null: never expires")
    note: str = Field("", max_length=2000, description="why, for the credential's history")


def _design_data(d: Design) -> dict[str, Any]:
    return d.current.data if d.current is not None else {}


class DesignOut(Schema):
    # Reads ``current`` (the design's current version): select it with the design.
    id: str = Field(..., alias="public_id")
    name: str
    version: int | None
    template: str | None
    page: dict
    updated_at: datetime

    @staticmethod
    def resolve_version(d: Design) -> int | None:
        return d.current.number if d.current is not None else None

    @staticmethod
    def resolve_template(d: Design) -> str | None:
        return (_design_data(d).get("background") or {}).get("template")

    @staticmethod
    def resolve_page(d: Design) -> dict[str, Any]:
        return _design_data(d).get("page") or {}
