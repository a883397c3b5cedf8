from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from credstack.ids import new_public_id
from credstack.organizations.models import Organization


class BulkJob(models.Model):
    """One uploaded file issuing many credentials. Rows are issued with idempotency keys derived from
    the file's hash and the row number, so the same file never issues anything twice and a job that
    died midway resumes where it stopped."""

    class State(models.TextChoices):
        PREVIEW = "preview", _("Waiting for confirmation")
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Issuing")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="bulk_jobs")
    public_id = models.CharField(max_length=32, unique=True, default=new_public_id, editable=False)
    achievement = models.ForeignKey("achievements.Achievement", on_delete=models.PROTECT, related_name="+")
    filename = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    kind = models.CharField(max_length=80, default="text/csv")
    data = models.BinaryField(default=b"")  # the uploaded file (kept so columns can be re-mapped)
    columns = models.JSONField(default=list)
    mapping = models.JSONField(default=dict)  # {"name": column, "email": column, "score": column|""}
    state = models.CharField(max_length=10, choices=State.choices, default=State.PREVIEW)
    total = models.PositiveIntegerField(default=0)
    valid = models.PositiveIntegerField(default=0)
    issued = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Set when the job is queued and after each chunk: a queued or running job whose heartbeat is old has
    # lost its worker (killed, restarted) and is resumed by the sweep (bulk.resume_stalled).
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    resumes = models.PositiveSmallIntegerField(default=0)  # times the sweep resumed it
    # When the uploaded file and the rows' extra columns were deleted (CREDSTACK_BULK_RETENTION_DAYS).
    purged_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.filename} ({self.state})"

    @property
    def mapped(self) -> bool:
        return bool(self.mapping.get("name") and self.mapping.get("email"))

    @property
    def processed(self) -> int:
        return self.issued + self.skipped + self.failed

    @property
    def percent(self) -> int:
        if not self.valid:
            return 100
        return min(100, round(100 * (self.issued + self.failed) / self.valid))


class BulkRow(models.Model):
    class Outcome(models.TextChoices):
        PENDING = "pending", _("Pending")
        ISSUED = "issued", pgettext_lazy("what happened", "Issued")
        SKIPPED = "skipped", _("Skipped")
        INVALID = "invalid", _("Invalid")
        FAILED = "failed", _("Failed")

    job = models.ForeignKey(BulkJob, on_delete=models.CASCADE, related_name="rows")
    number = models.PositiveIntegerField()  # row number in the file (header = 1)
    name = models.CharField(max_length=600, blank=True)
    email = models.CharField(max_length=300, blank=True)
    fields = models.JSONField(default=dict)  # other columns -> merge fields
    problems = models.JSONField(default=list)  # [{"field": ..., "message": ...}]
    outcome = models.CharField(max_length=10, choices=Outcome.choices, default=Outcome.PENDING)
    credential = models.ForeignKey(
        "credentials.Credential", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The status slot reserved for the row before its credential is signed (decision 0066): a resumed
    # job issues the row on this very slot; a row that then fails keeps it, so that no index is ever
    # consumed without a row or a credential naming it.
    status_list = models.ForeignKey(
        "credentials.StatusList", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status_index = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["job", "number"], name="unique_bulk_row")]
        ordering = ["job", "number"]

    def __str__(self) -> str:
        return f"row {self.number}"
