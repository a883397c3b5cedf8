"""Side effects of credential actions, run by the task worker after the action's commit."""

from __future__ import annotations

from django_tasks import task


@task()
def deliver_credential(credential_id: int) -> str:
    """Email the recipient their credential's links (the first email goes out at most once)."""
    from credstack.delivery.actions import send_credential_email

    delivery = send_credential_email(credential_id)
    return delivery.state if delivery else "already delivered"
