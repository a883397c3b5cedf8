"""Pathway writes: create / change (then back-fill), evaluate for a learner, apply the revocation policy."""

from __future__ import annotations

import itertools
import logging
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django_tasks import task

from credstack.achievements.models import Achievement
from credstack.awarding.actions import award
from credstack.credentials import actions as credential_actions
from credstack.credentials.models import Credential
from credstack.organizations import audit
from credstack.organizations.actors import Actor, as_actor
from credstack.outbox import actions as outbox

from . import rules
from .models import Pathway, PathwayAward, PathwayComponent
from .signals import PATHWAY_COMPLETED

log = logging.getLogger(__name__)


def needed_count(pathway: Pathway, total: int | None = None) -> int:
    total = total if total is not None else pathway.components.count()
    if pathway.rule == Pathway.Rule.N_OF_M and pathway.required_count:
        return min(pathway.required_count, total)
    return total


def clr_associations(pathway: Pathway) -> list[dict]:
    """CLR 2.0 ``Association``s: every component ``isPartOf`` the pathway; when ordered, each ``precedes``
    the next."""
    components = list(pathway.components.select_related("achievement"))
    out = [
        {
            "type": "Association",
            "associationType": "isPartOf",
            "sourceId": c.achievement.uri,
            "targetId": pathway.achievement.uri,
        }
        for c in components
    ]
    if pathway.ordered:
        out += [
            {
                "type": "Association",
                "associationType": "precedes",
                "sourceId": a.achievement.uri,
                "targetId": b.achievement.uri,
            }
            for a, b in itertools.pairwise(components)
        ]
    return out


def _contains(pathway_achievement: Achievement, achievement: Achievement, seen=None) -> bool:
    """Is ``pathway_achievement`` reachable from ``achievement`` through nested pathways? (a cycle)"""
    seen = seen or set()
    if achievement.pk == pathway_achievement.pk:
        return True
    if achievement.pk in seen:
        return False
    seen.add(achievement.pk)
    inner = Pathway.objects.filter(achievement=achievement).first()
    if inner is None:
        return False
    return any(
        _contains(pathway_achievement, c.achievement, seen)
        for c in inner.components.select_related("achievement")
    )


def _validate(achievement: Achievement, components: list[Achievement], rule: str, required_count):
    errors = {}
    if len(components) < 1:
        errors["components"] = "choose at least one component achievement"
    if len({c.pk for c in components}) != len(components):
        errors["components"] = "an achievement is listed twice"
    for c in components:
        if c.organization_id != achievement.organization_id:
            errors["components"] = f"{c.name} belongs to another organization"
        elif _contains(achievement, c):
            errors["components"] = f"{c.name} contains this pathway (a pathway cannot contain itself)"
    if rule == Pathway.Rule.N_OF_M:
        if not required_count or required_count < 1:
            errors["required_count"] = "give N, the number of components needed"
        elif required_count > len(components):
            errors["required_count"] = (
                f"N is {required_count} but there are only {len(components)} components"
            )
    if errors:
        raise ValidationError(errors)


def _set_components(pathway: Pathway, components: list[Achievement]) -> None:
    pathway.components.all().delete()
    PathwayComponent.objects.bulk_create(
        PathwayComponent(pathway=pathway, achievement=a, position=n) for n, a in enumerate(components)
    )
    pathway.associations = clr_associations(pathway)
    pathway.save(update_fields=["associations", "updated_at"])


def create_pathway(
    *,
    achievement: Achievement,
    components: list[Achievement],
    rule: str = Pathway.Rule.ALL,
    required_count: int | None = None,
    ordered: bool = False,
    window_days: int | None = None,
    revocation_policy: str = Pathway.Policy.SUSPEND,
    actor: Actor | None = None,
) -> Pathway:
    """Create a pathway; existing holders of its components are back-filled (a task, after commit)."""
    _validate(achievement, components, rule, required_count)
    with transaction.atomic():
        if Pathway.objects.filter(achievement=achievement).exists():
            raise ValidationError(
                {"achievement": _("%(name)s is already awarded by a pathway") % {"name": achievement.name}}
            )
        pathway = Pathway.objects.create(
            organization=achievement.organization,
            achievement=achievement,
            rule=rule,
            required_count=required_count if rule == Pathway.Rule.N_OF_M else None,
            ordered=ordered,
            window_days=window_days or None,
            revocation_policy=revocation_policy,
        )
        _set_components(pathway, components)
        _queue_backfill(pathway)
        audit.record(
            pathway.organization, as_actor(actor), "pathway.created", pathway.public_id, achievement.name
        )
    return pathway


def update_pathway(
    pathway: Pathway, *, components: list[Achievement] | None = None, actor: Actor | None = None, **fields
) -> Pathway:
    comps = components if components is not None else [c.achievement for c in pathway.components.all()]
    rule = fields.get("rule", pathway.rule)
    _validate(pathway.achievement, comps, rule, fields.get("required_count", pathway.required_count))
    with transaction.atomic():
        for name, value in fields.items():
            setattr(pathway, name, value)
        if pathway.rule != Pathway.Rule.N_OF_M:
            pathway.required_count = None
        pathway.save()
        _set_components(pathway, comps)
        _queue_backfill(pathway)
        audit.record(
            pathway.organization,
            as_actor(actor),
            "pathway.updated",
            pathway.public_id,
            pathway.achievement.name,
        )
    return pathway


BACKFILL = "pathways.backfill"


def _queue_backfill(pathway: Pathway) -> None:
    # an effect of the change's transaction: the backfill runs even if this process dies after the commit
    outbox.emit(BACKFILL, {"pathway": pathway.pk})


def backfill_effect(payload: dict, key: str) -> None:
    """Outbox consumer of ``pathways.backfill``: the backfill task (idempotent: it awards what is owed)."""
    backfill_pathway.enqueue(payload["pathway"])


@task()
def backfill_pathway(pathway_id: int) -> int:
    """``backfill``, run later: queued after commit when a pathway is created or changed."""
    pathway = Pathway.objects.select_related("achievement").filter(pk=pathway_id).first()
    return backfill(pathway) if pathway else 0


# ---------------------------------------------------------------- evaluation


def _credentials(pathway: Pathway, email: str, positions: dict[int, int] | None = None):
    positions = positions or dict(pathway.components.values_list("achievement_id", "position"))
    credentials = (
        Credential.objects.filter(
            organization_id=pathway.organization_id,
            recipient_email__iexact=email,
            achievement_id__in=positions,
            state=Credential.State.ACTIVE,
            replaced_by__isnull=True,
        )
        .select_related("achievement")
        .order_by("issued_at", "id")
    )
    return [(positions[c.achievement_id], c) for c in credentials]


def holdings(pathway: Pathway, email: str) -> dict[int, Credential]:
    """Component position -> the learner's earliest active credential for it."""
    held: dict[int, Credential] = {}
    for position, credential in _credentials(pathway, email):
        held.setdefault(position, credential)
    return held


def check(pathway: Pathway, email: str) -> tuple[list[Credential] | None, dict[int, Credential]]:
    """(the component credentials that satisfy the pathway or None, the earliest held per component)."""
    positions = dict(pathway.components.values_list("achievement_id", "position"))
    pairs = _credentials(pathway, email, positions)
    held: dict[int, Credential] = {}
    for position, credential in pairs:
        held.setdefault(position, credential)
    by_item: dict[tuple[int, datetime], Credential] = {}
    for position, credential in pairs:
        by_item.setdefault((position, credential.issued_at), credential)
    window = timedelta(days=pathway.window_days) if pathway.window_days else None
    needed = needed_count(pathway, len(positions))
    chosen = rules.satisfied(list(by_item), needed, ordered=pathway.ordered, window=window)
    return (None if chosen is None else [by_item[item] for item in chosen]), held


def evaluate(pathway: Pathway, email: str) -> Credential | None:
    """Award the pathway's credential to ``email`` if it is now met (once). Returns the stacked credential."""
    if not pathway.is_active:
        return None
    email = email.strip().lower()
    existing = PathwayAward.objects.filter(pathway=pathway, email=email).select_related("credential").first()
    if existing:
        _reinstate_if_met(existing)
        return existing.credential
    chosen, _held = check(pathway, email)
    if chosen is None:
        return None
    latest = max(chosen, key=lambda c: c.issued_at)
    credential, _new = award(
        pathway.achievement,
        recipient_email=email,
        recipient_name=latest.recipient_name,
        evidence=[
            {
                "id": c.uri,
                "name": c.achievement.name,
                "narrative": f"Component credential: {c.achievement.name}",
            }
            for c in chosen
        ],
        activity_start=min(c.issued_at for c in chosen),
        activity_end=latest.issued_at,
        source="pathway",
    )
    try:
        with transaction.atomic():
            record = PathwayAward.objects.create(pathway=pathway, email=email, credential=credential)
            record.components.set(chosen)
            outbox.emit(PATHWAY_COMPLETED, {"award": record.pk}, key=f"pathway.completed:{record.pk}")
    except IntegrityError:
        pass  # recorded by a simultaneous evaluation
    log.info("pathway %s awarded to %s", pathway.public_id, email)
    return credential


def _reinstate_if_met(record: PathwayAward) -> None:
    """A stacked credential suspended by the policy comes back once the pathway is met again (a component
    reinstated or earned anew)."""
    stacked = record.credential
    if not record.suspended_by_policy or stacked.state != Credential.State.SUSPENDED:
        return
    chosen, _missing = check(record.pathway, record.email)
    if chosen is not None:
        credential_actions.reinstate_credential(stacked, reason="The pathway's components are valid again")
        PathwayAward.objects.filter(pk=record.pk).update(suspended_by_policy=False)
        record.suspended_by_policy = False


def pathways_for_achievement(achievement_id: int):
    return Pathway.objects.filter(is_active=True, components__achievement_id=achievement_id).distinct()


def evaluate_for_credential(credential: Credential) -> list[Credential]:
    return [
        stacked
        for pathway in pathways_for_achievement(credential.achievement_id).select_related("achievement")
        if (stacked := evaluate(pathway, credential.recipient_email))
    ]


def backfill(pathway: Pathway) -> int:
    """Evaluate the pathway for everyone holding any of its components. Returns credentials awarded."""
    emails = (
        Credential.objects.filter(
            organization_id=pathway.organization_id,
            achievement__pathway_components__pathway=pathway,
            state=Credential.State.ACTIVE,
        )
        .values_list("recipient_email", flat=True)
        .distinct()
    )
    awarded = 0
    for email in {e.lower() for e in emails}:
        before = PathwayAward.objects.filter(pathway=pathway, email=email).exists()
        if evaluate(pathway, email) is not None and not before:
            awarded += 1
    return awarded


def apply_component_change(credential: Credential, event: str) -> None:
    """A component credential was revoked, suspended or reinstated: apply each pathway's policy."""
    for record in PathwayAward.objects.filter(components=credential).select_related("pathway", "credential"):
        pathway, stacked = record.pathway, record.credential
        if event in ("revoked", "suspended", "replaced"):
            if (
                pathway.revocation_policy != Pathway.Policy.SUSPEND
                or stacked.state != Credential.State.ACTIVE
            ):
                continue
            chosen, _missing = check(pathway, record.email)
            if chosen is not None:  # still met by the other credentials the learner holds
                continue
            credential_actions.suspend_credential(
                stacked,
                reason=f"Component {credential.achievement.name} ({credential.public_id}) was {event}; "
                f"pathway policy: suspend",
            )
            PathwayAward.objects.filter(pk=record.pk).update(suspended_by_policy=True)
        elif event == "reinstated":
            _reinstate_if_met(record)
