"""Certificate designs. A design has immutable versions; a credential points at the version it was
issued with, so editing a design never changes a certificate already issued."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from credstack.ids import new_public_id
from credstack.organizations.models import Organization


class DesignAsset(models.Model):
    """An uploaded image or PDF (background, logo, signature). Immutable: a new upload is a new row."""

    class Kind(models.TextChoices):
        BACKGROUND = "background", _("Background")
        IMAGE = "image", _("Image")
        SIGNATURE = "signature", _("Signature")

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="design_assets")
    public_id = models.CharField(max_length=32, unique=True, default=new_public_id, editable=False)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    filename = models.CharField(max_length=200)
    content_type = models.CharField(max_length=40)
    sha256 = models.CharField(max_length=64)
    # The bytes, in the file storage (local disk or S3, decision 0048). Uploads made before that kept
    # their bytes in the row (``data``): ``content()`` reads either.
    file = models.FileField(upload_to="designs/assets/", blank=True)
    data = models.BinaryField(default=b"", blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.filename

    def content(self) -> bytes:
        """The uploaded bytes."""
        if self.file:
            with self.file.open("rb") as fh:
                return fh.read()
        return bytes(self.data)


class Design(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="designs")
    public_id = models.CharField(max_length=32, unique=True, default=new_public_id, editable=False)
    name = models.CharField(max_length=200)
    current = models.ForeignKey(
        "DesignVersion", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # The designer's work in progress, saved as the person edits (None: the current version as it is).
    # Publishing freezes it into a new DesignVersion; credentials never see a draft.
    draft_data = models.JSONField(null=True, blank=True)
    draft_assets = models.JSONField(default=dict, blank=True)
    draft_revision = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return self.name

    def working_copy(self) -> tuple[dict, dict[str, str]]:
        """(design data, asset name -> DesignAsset.public_id) the designer opens: the draft, or the
        current version when there is no draft."""
        if self.draft_data is not None:
            return dict(self.draft_data), dict(self.draft_assets or {})
        if self.current is not None:
            return dict(self.current.data), dict(self.current.assets or {})
        return {}, {}

    @property
    def has_unpublished_changes(self) -> bool:
        if self.draft_data is None or self.current is None:
            return self.draft_data is not None
        return self.draft_data != self.current.data or (self.draft_assets or {}) != (
            self.current.assets or {}
        )


class DesignVersion(models.Model):
    """A frozen design: the render.Design dict and which uploaded asset each asset name means."""

    design = models.ForeignKey(Design, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    data = models.JSONField()
    # asset name used in `data` -> DesignAsset.public_id
    assets = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["design", "number"], name="unique_design_version")]
        ordering = ["design", "number"]

    def __str__(self) -> str:
        return f"{self.design} v{self.number}"
