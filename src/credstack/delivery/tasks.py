"""Delivery work for the task worker. ``send_email`` is defined in ``actions.py`` beside the code that
queues it (see "Tasks" in docs/architecture.md); it is named here too, so rows queued under
``credstack.delivery.tasks.send_email`` before it moved still run."""

from __future__ import annotations

from django_tasks import task

from credstack import taskqueues

from . import actions

send_email = actions.send_email
send_emails = actions.send_emails


@task(queue_name=taskqueues.EMAIL)
def send_expiry_reminders(days: int = actions.REMINDER_DAYS) -> int:
    """Send the reminders now (the worker runs them daily by itself: see credstack.scheduler)."""
    return actions.send_expiry_reminders(days=days)
