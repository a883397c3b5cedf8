"""Delivery work for the task worker."""

from __future__ import annotations

from django_tasks import task

from . import actions


@task()
def send_email(credential_id: int, kind: str = "issued") -> str:
    delivery = actions.send_credential_email(credential_id, kind)
    return delivery.state if delivery else "skipped"


@task()
def send_expiry_reminders(days: int = actions.REMINDER_DAYS) -> int:
    """Send the reminders now (the worker runs them daily by itself: see credstack.scheduler)."""
    return actions.send_expiry_reminders(days=days)
