from __future__ import annotations

from django_tasks import task

from credstack.credentials.models import Credential

from . import actions
from .models import Pathway


@task()
def evaluate_after_issue(credential_id: int) -> int:
    """A credential was issued: award every pathway it completes (nested pathways follow, since the
    stacked credential's own issuance comes back here)."""
    credential = Credential.objects.select_related("achievement").filter(pk=credential_id).first()
    return len(actions.evaluate_for_credential(credential)) if credential else 0


@task()
def apply_policy(credential_id: int, event: str) -> None:
    credential = Credential.objects.select_related("achievement").filter(pk=credential_id).first()
    if credential:
        actions.apply_component_change(credential, event)


@task()
def backfill_pathway(pathway_id: int) -> int:
    pathway = Pathway.objects.select_related("achievement").filter(pk=pathway_id).first()
    return actions.backfill(pathway) if pathway else 0
