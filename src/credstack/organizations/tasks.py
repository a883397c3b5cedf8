"""Organization side effects, run by the task worker after the action's commit."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse
from django_tasks import task

from credstack import taskqueues

from .brand import sender
from .models import Invitation


@task(queue_name=taskqueues.EMAIL)
def send_invitation_email(invitation_id: int, inviter: str) -> str:
    """The invitation to join an organization. ``inviter``: who sent it, as the audit log names them."""
    invitation = Invitation.objects.select_related("organization").filter(pk=invitation_id).first()
    if invitation is None or invitation.state != "pending":
        return "skipped"
    org = invitation.organization
    link = settings.CREDSTACK_BASE_URL + reverse("workspace-invitation", args=[invitation.token])
    send_mail(
        f"Join {org.name} on credstack",
        f"{inviter} invites you to {org.name} as {invitation.get_role_display().lower()}.\n\nAccept: {link}\n"
        + (
            f"\nThe invitation is valid until {invitation.expires_at:%Y-%m-%d %H:%M} UTC.\n"
            if invitation.expires_at
            else ""
        ),
        sender(org),
        [invitation.email],
    )
    return "sent"
