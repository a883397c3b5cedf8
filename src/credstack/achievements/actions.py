from __future__ import annotations

from django.db import transaction

from credstack.organizations.models import Organization

from .models import Achievement


@transaction.atomic
def create_achievement(
    *, organization: Organization, slug: str, name: str, description: str, criteria_narrative: str, **fields
) -> Achievement:
    achievement = Achievement(
        organization=organization,
        slug=slug,
        name=name,
        description=description,
        criteria_narrative=criteria_narrative,
        **fields,
    )
    achievement.full_clean()
    achievement.save()
    return achievement
