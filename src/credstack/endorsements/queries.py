"""Reading endorsements."""

from __future__ import annotations

import json
from collections.abc import Collection
from datetime import datetime

from django.db.models import Q
from django.utils import timezone

from credstack.credentials.carried import Carried
from credstack.credentials.models import Credential
from credstack.vc import dates as vc_dates

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


def carried(organization_id: int, achievement_ids: Collection[int]) -> Carried:
    """What new credentials carry (decision 0062): the granted endorsements of the issuer and of these
    achievements that are not revoked and are valid now (``validFrom`` passed, ``validUntil`` not), newest
    first. One query."""
    now = timezone.now()
    rows = (
        Endorsement.objects.filter(organization_id=organization_id, revoked_at__isnull=True)
        .filter(
            Q(target=Target.ISSUER) | Q(target=Target.ACHIEVEMENT, achievement_id__in=list(achievement_ids))
        )
        .order_by("-created_at", "-id")
        .values_list("target", "achievement_id", "document")
    )
    found = Carried()
    for target, achievement_id, document in rows:
        doc = json.loads(document)
        if not _valid_now(doc, now):
            continue
        if target == Target.ISSUER:
            found.issuer.append(doc)
        else:
            found.achievements.setdefault(achievement_id, []).append(doc)
    return found


def _valid_now(doc: dict, now: datetime) -> bool:
    valid_from = vc_dates.parse_datetime(doc.get("validFrom"))
    if valid_from is None or valid_from > now:
        return False
    valid_until = vc_dates.parse_datetime(doc.get("validUntil"))
    return "validUntil" not in doc or (valid_until is not None and now < valid_until)
