"""The objects an API path names, looked up in the requesting key's organization (another's give 404)."""

from __future__ import annotations

from django.db.models import Q
from django.shortcuts import get_object_or_404

from credstack.achievements.models import Achievement
from credstack.credentials.models import Credential


def achievement(request, ref: str) -> Achievement:
    """By id or slug."""
    return get_object_or_404(Achievement, Q(public_id=ref) | Q(slug=ref), organization=request.organization)


def credentials(request):
    """The organization's credentials, with what ``CredentialOut`` reads."""
    return Credential.objects.filter(organization=request.organization).select_related(
        "achievement", "replaced_by"
    )


def credential(request, public_id: str) -> Credential:
    return get_object_or_404(credentials(request), public_id=public_id)
