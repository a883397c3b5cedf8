"""Organization side effects, run by the task worker after the action's commit."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django_tasks import task

from credstack import taskqueues

from . import languages
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
    with translation.override(languages.for_email(org)):  # who is invited has no workspace language yet
        subject = _("Join %(org)s on credstack") % {"org": org.name}
        body = _("%(inviter)s invites you to %(org)s as %(role)s.\n\nAccept: %(link)s\n") % {
            "inviter": inviter,
            "org": org.name,
            "role": str(invitation.get_role_display()).lower(),
            "link": link,
        }
        if invitation.expires_at:
            body += "\n" + _("The invitation is valid until %(when)s UTC.\n") % {
                "when": f"{invitation.expires_at:%Y-%m-%d %H:%M}"
            }
    send_mail(subject, body, sender(org), [invitation.email])
    return "sent"
