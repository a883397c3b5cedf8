from __future__ import annotations

import json
import secrets

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from credstack.achievements.models import Achievement
from credstack.ids import new_public_id
from credstack.organizations.models import Organization

from .permutation import FeistelPermutation

STATUS_LIST_SIZE = 131072  # Bitstring Status List v1.0 minimum: 16 KiB, for herd privacy


def _odd_multiplier() -> int:
    return secrets.randbelow(STATUS_LIST_SIZE // 2) * 2 + 1


def _offset() -> int:
    return secrets.randbelow(STATUS_LIST_SIZE)


def _permutation_key() -> bytes:
    return secrets.token_bytes(32)


def _empty_bits() -> bytes:
    return bytes(STATUS_LIST_SIZE // 8)


class StatusList(models.Model):
    """A pair of Bitstring Status Lists (revocation and suspension) sharing one index space.

    Slots are handed out in order; the index a slot maps to is a keyed pseudorandom permutation of the
    list (``permutation.py``), so indexes never collide and do not reveal issuance order (the spec asks
    for random assignment). Lists created before the permutation existed keep their old mapping
    ``(multiplier * slot + offset) mod size`` (a bijection too, but with a constant stride), so the
    indexes they already handed out stay unique.
    """

    PURPOSES = ("revocation", "suspension")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="status_lists")
    public_id = models.CharField(max_length=32, unique=True, default=new_public_id, editable=False)
    size = models.PositiveIntegerField(default=STATUS_LIST_SIZE)
    next_slot = models.PositiveIntegerField(default=0)
    multiplier = models.PositiveIntegerField(default=_odd_multiplier)
    offset = models.PositiveIntegerField(default=_offset)
    permutation_key = models.BinaryField(default=_permutation_key, editable=False)
    revocation_bits = models.BinaryField(default=_empty_bits)
    suspension_bits = models.BinaryField(default=_empty_bits)
    # The signed list credentials, as served (re-signed on every change).
    revocation_document = models.TextField(blank=True)
    suspension_document = models.TextField(blank=True)
    # the DID its lists are signed under, the issuer of its credentials ("": the organization's path DID);
    # an organization that moves to did:web of its own domain gets new lists (decision 0049)
    issuer = models.CharField(max_length=300, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.organization.slug} status list {self.public_id}"

    def url(self, purpose: str) -> str:
        return f"{settings.CREDSTACK_BASE_URL}/status/{self.public_id}/{purpose}"

    def index_of_slot(self, slot: int) -> int:
        if self.permutation_key:
            return FeistelPermutation(bytes(self.permutation_key), self.size)(slot)
        return (self.multiplier * slot + self.offset) % self.size  # lists from before the permutation

    @property
    def full(self) -> bool:
        return self.next_slot >= self.size


class Credential(models.Model):
    class State(models.TextChoices):
        ACTIVE = "active", _("Active")
        REVOKED = "revoked", _("Revoked")
        SUSPENDED = "suspended", _("Suspended")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="credentials")
    achievement = models.ForeignKey(Achievement, on_delete=models.PROTECT, related_name="credentials")
    public_id = models.CharField(max_length=32, unique=True, default=new_public_id, editable=False)
    recipient_name = models.CharField(max_length=500)
    recipient_email = models.EmailField(max_length=254, db_index=True)
    # The signed credential, byte for byte as issued (a JSON column could reorder or reformat it).
    document = models.TextField(editable=False)
    state = models.CharField(max_length=12, choices=State.choices, default=State.ACTIVE, db_index=True)
    status_list = models.ForeignKey(StatusList, on_delete=models.PROTECT, related_name="credentials")
    status_index = models.PositiveIntegerField()
    issued_at = models.DateTimeField(db_index=True)
    valid_until = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    # When "credential.expired" went out for the current ``valid_until`` (None: not yet, or the expiry
    # changed since); see ``actions.announce_expired``.
    expiry_announced_at = models.DateTimeField(null=True, blank=True, editable=False)
    revocation_reason = models.TextField(blank=True)
    # A replaced credential (e.g. a corrected name) points at its replacement; its page says so.
    replaced_by = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="replaces"
    )
    # Private: the public page shows nothing personal to strangers (the holder decides).
    is_public = models.BooleanField(default=True)
    source = models.CharField(max_length=32, default="manual")
    # What it was issued with (immutable versions): the PDF renders from design_version.
    achievement_version = models.ForeignKey(
        "achievements.AchievementVersion",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="credentials",  # achievements asks whether a version is held without importing us
    )
    design_version = models.ForeignKey(
        "designs.DesignVersion", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Merge values for the certificate beyond the standard ones (a bulk file's extra columns, score).
    merge_fields = models.JSONField(default=dict, blank=True)
    # the origin of its links when issued under the organization's own domain ("": the deployment's)
    base_url = models.CharField(max_length=300, blank=True, default="")
    # NULL, not "", when absent: the unique constraint below applies only to real keys.
    idempotency_key = models.CharField(max_length=200, null=True, blank=True)  # noqa: DJ001
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["status_list", "status_index"], name="unique_status_slot"),
            models.UniqueConstraint(
                fields=["organization", "idempotency_key"],
                condition=models.Q(idempotency_key__isnull=False),
                name="unique_idempotency_key",
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "-issued_at", "-id"], name="credential_org_recent"),
            models.Index(
                fields=["organization", "achievement", "-issued_at", "-id"], name="credential_org_ach"
            ),
            models.Index(fields=["organization", "state", "-issued_at", "-id"], name="credential_org_state"),
            models.Index(fields=["organization", "recipient_email"], name="credential_org_email"),
            models.Index(fields=["organization", "recipient_name", "id"], name="credential_org_name"),
            # the learner portal matches Lower("recipient_email")
            models.Index(Lower("recipient_email"), name="credential_email_lower"),
            # expiries not announced yet (actions.announce_expired): a small index, whatever the table size
            models.Index(
                fields=["valid_until"],
                name="credential_expiry_due",
                condition=models.Q(valid_until__isnull=False, expiry_announced_at__isnull=True),
            ),
        ]
        # Name search (substring, any case): a pg_trgm GIN index on PostgreSQL and an FTS5 trigram
        # table kept in sync by triggers on SQLite, both created by migration 0005 (see
        # credstack.credentials.search and decision 0024).

    def __str__(self) -> str:
        return f"{self.achievement} — {self.recipient_name}"

    @property
    def origin(self) -> str:
        """Where the credential lives: the organization's own domain it was issued under, else the
        deployment (decision 0049); the page answers at the deployment's address too."""
        return self.base_url or settings.CREDSTACK_BASE_URL

    @property
    def issuer_id(self) -> str:
        """The issuer id the credential was signed under (its organization's DID at the time)."""
        issuer = self.signed().get("issuer")
        value = issuer.get("id") if isinstance(issuer, dict) else issuer
        return value if isinstance(value, str) else ""

    @property
    def uri(self) -> str:
        return f"{self.origin}/c/{self.public_id}"

    def signed(self) -> dict:
        return json.loads(self.document)


class CredentialEvent(models.Model):
    """The history of a credential: who did what, when, and why."""

    class Kind(models.TextChoices):
        # lifecycle
        ISSUED = "issued"
        REVOKED = "revoked"
        SUSPENDED = "suspended"
        REINSTATED = "reinstated"
        REPLACED = "replaced"
        EXPIRY_CHANGED = "expiry_changed"
        # delivery and engagement (the analytics read these)
        DELIVERED = "delivered"
        DELIVERY_FAILED = "delivery_failed"
        OPENED = "opened"
        CLICKED = "clicked"
        VIEWED = "viewed"
        DOWNLOADED = "downloaded"
        SHARED = "shared"
        LINKEDIN = "linkedin"
        VERIFIED = "verified"

    credential = models.ForeignKey(Credential, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20, choices=Kind.choices, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    note = models.TextField(blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["kind", "at"], name="event_kind_at")]

    def __str__(self) -> str:
        return f"{self.kind} at {self.at:%Y-%m-%d %H:%M}"
