"""Read-side of pathways, for the learner portal and the educator.

``progress_for_emails(emails)`` -> one ``PathwayProgress`` per pathway where any of the emails holds a
component or the stacked credential ("3 of 5").
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q

from credstack.credentials.models import Credential

from . import actions
from .models import Pathway, PathwayAward


@dataclass
class ComponentProgress:
    achievement_id: str  # public id
    name: str
    held: bool
    credential_url: str | None


@dataclass
class PathwayProgress:
    pathway_id: str  # public id
    name: str
    organization: str  # slug
    organization_name: str
    email: str
    held: int  # components held (active)
    needed: int  # components needed ("held of needed")
    total: int
    ordered: bool
    window_days: int | None
    complete: bool
    credential_url: str | None  # the stacked credential, once awarded
    credential_state: str | None
    components: list[ComponentProgress] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"{min(self.held, self.needed)} of {self.needed}"

    @property
    def percent(self) -> int:
        return round(100 * min(self.held, self.needed) / self.needed) if self.needed else 100


def _progress(pathway: Pathway, email: str, award: PathwayAward | None) -> PathwayProgress:
    components = list(pathway.components.select_related("achievement"))
    held = actions.holdings(pathway, email)
    needed = actions.needed_count(pathway, len(components))
    return PathwayProgress(
        pathway_id=pathway.public_id,
        name=pathway.achievement.name,
        organization=pathway.organization.slug,
        organization_name=pathway.organization.name,
        email=email,
        held=len(held),
        needed=needed,
        total=len(components),
        ordered=pathway.ordered,
        window_days=pathway.window_days,
        complete=award is not None,
        credential_url=award.credential.uri if award else None,
        credential_state=award.credential.state if award else None,
        components=[
            ComponentProgress(
                achievement_id=c.achievement.public_id,
                name=c.achievement.name,
                held=c.position in held,
                credential_url=held[c.position].uri if c.position in held else None,
            )
            for c in components
        ],
    )


def progress_for_emails(emails, organization=None) -> list[PathwayProgress]:
    """Pathway progress for a learner known by one or more emails (any organization, or one)."""
    emails = sorted({e.strip().lower() for e in emails if e and e.strip()})
    if not emails:
        return []
    by_email = Q()
    for email in emails:
        by_email |= Q(recipient_email__iexact=email)
    achievement_ids = set(Credential.objects.filter(by_email).values_list("achievement_id", flat=True))
    pathways = Pathway.objects.filter(is_active=True).filter(
        Q(components__achievement_id__in=achievement_ids) | Q(achievement_id__in=achievement_ids)
    )
    if organization is not None:
        pathways = pathways.filter(organization=organization)
    out = []
    for pathway in pathways.distinct().select_related("achievement", "organization").order_by("id"):
        best = None
        for email in emails:
            award = (
                PathwayAward.objects.filter(pathway=pathway, email=email).select_related("credential").first()
            )
            progress = _progress(pathway, email, award)
            if best is None or (progress.complete, progress.held) > (best.complete, best.held):
                best = progress
        if best and (best.held or best.complete):
            out.append(best)
    return out


def pathway_overview(pathway: Pathway) -> dict:
    """For the educator: how many hold it, and who is one step away."""
    emails = {
        e.lower()
        for e in Credential.objects.filter(
            organization_id=pathway.organization_id,
            achievement__pathway_components__pathway=pathway,
            state=Credential.State.ACTIVE,
        ).values_list("recipient_email", flat=True)
    }
    awarded = set(PathwayAward.objects.filter(pathway=pathway).values_list("email", flat=True))
    rows: list[dict[str, Any]] = []
    for email in sorted(emails):
        progress = _progress(pathway, email, None)
        rows.append(
            {
                "email": email,
                "held": progress.held,
                "needed": progress.needed,
                "complete": email in awarded,
                "missing": [c.name for c in progress.components if not c.held],
            }
        )
    one_away = [r for r in rows if not r["complete"] and r["needed"] - r["held"] == 1]
    return {"learners": rows, "awarded": len(awarded), "one_away": one_away}
