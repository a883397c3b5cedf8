"""Pathways listen to the credential pipeline's after-commit signals and queue their work as tasks."""

from __future__ import annotations

from django.dispatch import receiver

from credstack.credentials.signals import credential_issued, credential_state_changed

from .models import PathwayAward, PathwayComponent
from .tasks import apply_policy, evaluate_after_issue


@receiver(credential_issued, dispatch_uid="pathways-evaluate")
def on_issued(sender, credential, **kwargs):
    if PathwayComponent.objects.filter(
        achievement_id=credential.achievement_id, pathway__is_active=True
    ).exists():
        evaluate_after_issue.enqueue(credential.pk)


@receiver(credential_state_changed, dispatch_uid="pathways-policy")
def on_state_changed(sender, credential, event, **kwargs):
    if (
        event in ("revoked", "suspended", "reinstated", "replaced")
        and PathwayAward.objects.filter(components=credential).exists()
    ):
        apply_policy.enqueue(credential.pk, event)
