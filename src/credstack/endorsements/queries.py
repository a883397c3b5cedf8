"""Reading endorsements."""

from __future__ import annotations

from django.db.models import Q

from credstack.credentials.models import Credential

from .models import Endorsement, Target


def endorsements_for(credential: Credential) -> list[Endorsement]:
    """What the credential's page shows: endorsements of the credential, of its achievement and of its
    issuer, oldest first."""
    return list(
        Endorsement.objects.filter(organization_id=credential.organization_id)
        .filter(
            Q(target=Target.CREDENTIAL, credential=credential)
            | Q(target=Target.ACHIEVEMENT, achievement_id=credential.achievement_id)
            | Q(target=Target.ISSUER)
        )
        .order_by("created_at", "id")
    )
