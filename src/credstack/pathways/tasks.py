"""The pathways app's tasks, for the worker: the ones its receivers queue. ``backfill_pathway`` is defined
in ``actions.py`` beside the action that queues it (see "Tasks" in docs/architecture.md); it is named here
too, so rows queued under ``credstack.pathways.tasks.backfill_pathway`` before it moved still run."""

from __future__ import annotations

from django_tasks import task

from credstack.credentials.models import Credential

from . import actions
from .actions import backfill_pathway

__all__ = ["apply_policy", "backfill_pathway", "evaluate_after_issue"]


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
