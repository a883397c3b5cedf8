"""Delivery work for the task worker."""

from __future__ import annotations

from django_tasks import task

from . import actions


@task()
def send_email(delivery_id: int) -> str:
    """Attempt one credential email (first try or retry): the one task that sends a credential's email."""
    return actions.attempt(delivery_id).state


@task()
def send_expiry_reminders(days: int = actions.REMINDER_DAYS) -> int:
    """Send the reminders now (the worker runs them daily by itself: see credstack.scheduler)."""
    return actions.send_expiry_reminders(days=days)
