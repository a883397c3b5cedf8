"""Signed certificate PDFs (PAdES, decision 0052): the organization's certificate created or uploaded
(PKCS#12), signed PDFs turned on or off with a time-stamping authority."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .. import audit, pdfsign
from ..actors import Actor
from ..models import Organization, PdfSigning, Role, pdf_seal_context
from ..rules import require_role
from ..sealing import seal


def _keep_pdf_certificate(
    org: Organization, material: pdfsign.KeyMaterial, source: str, actor: Actor, what: str
) -> PdfSigning:
    require_role(org, actor, Role.ADMIN, _("Only owners and admins change how certificates are signed."))
    with transaction.atomic():
        signing, _created = PdfSigning.objects.select_for_update().get_or_create(
            organization=org,
            defaults={
                "source": source,
                "sealed_private_key": b"",
                "certificate_pem": "",
                "subject": "",
                "fingerprint": "",
                "not_after": material.not_after,
            },
        )
        signing.source = source
        signing.sealed_private_key = seal(material.key_der, pdf_seal_context(org.pk))
        signing.certificate_pem = material.certificate_pem
        signing.chain_pem = material.chain_pem
        signing.subject = material.subject
        signing.fingerprint = material.fingerprint
        signing.not_after = material.not_after
        signing.save()
        audit.record(org, actor, what, material.fingerprint[:16], material.subject)
    return signing


def create_pdf_certificate(org: Organization, actor: Actor) -> PdfSigning:
    """Give the organization a certificate of its own for signing PDFs (replacing any before it)."""
    return _keep_pdf_certificate(
        org,
        pdfsign.create_certificate(org),
        PdfSigning.Source.CREATED,
        actor,
        "pdf_signing.certificate_created",
    )


def upload_pdf_certificate(org: Organization, data: bytes, password: str, actor: Actor) -> PdfSigning:
    """Use an uploaded PKCS#12 file (with its password) for signing PDFs. A file that cannot be used
    is refused with the reason (ValidationError on ``file``) and changes nothing."""
    try:
        material = pdfsign.read_pkcs12(data, password)
    except pdfsign.CertificateError as exc:
        raise ValidationError({"file": str(exc)}) from exc
    return _keep_pdf_certificate(
        org, material, PdfSigning.Source.UPLOADED, actor, "pdf_signing.certificate_uploaded"
    )


def update_pdf_signing(org: Organization, *, enabled: bool, tsa_url: str, actor: Actor) -> PdfSigning:
    """Turn signed PDFs on or off and set the time-stamping authority ("" for none)."""
    require_role(org, actor, Role.ADMIN, _("Only owners and admins change how certificates are signed."))
    tsa_url = (tsa_url or "").strip()
    if tsa_url and not tsa_url.startswith(("https://", "http://")):
        raise ValidationError({"tsa_url": _("the time-stamping authority's address starts with https://")})
    with transaction.atomic():
        signing = PdfSigning.objects.select_for_update().filter(organization=org).first()
        if signing is None:
            raise ValidationError(
                {"enabled": _("upload a certificate or create one before turning signed PDFs on")}
            )
        signing.enabled = bool(enabled)
        signing.tsa_url = tsa_url
        signing.full_clean(exclude=["sealed_private_key"])
        signing.save(update_fields=["enabled", "tsa_url", "updated_at"])
        audit.record(
            org,
            actor,
            "pdf_signing.updated",
            signing.fingerprint[:16],
            f"{'on' if enabled else 'off'}{', timestamp ' + tsa_url if tsa_url else ''}",
        )
    return signing
