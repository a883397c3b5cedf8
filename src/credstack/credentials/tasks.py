"""Side effects of credential actions, run by the task worker after the action's commit."""

from __future__ import annotations

from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django_tasks import task

from .models import Credential, CredentialEvent


@task()
def deliver_credential(credential_id: int) -> str:
    """Email the recipient their credential's links. Runs at most once per credential."""
    with transaction.atomic():
        credential = (
            Credential.objects.select_for_update()
            .select_related("organization", "achievement")
            .get(pk=credential_id)
        )
        if credential.events.filter(kind=CredentialEvent.Kind.DELIVERED).exists():
            return "already delivered"
        context = {
            "credential": credential,
            "org": credential.organization,
            "achievement": credential.achievement,
        }
        message = EmailMultiAlternatives(
            subject=f"Your credential: {credential.achievement.name}",
            body=render_to_string("credentials/email/issued.txt", context),
            to=[credential.recipient_email],
            reply_to=[credential.organization.email] if credential.organization.email else None,
        )
        message.attach_alternative(render_to_string("credentials/email/issued.html", context), "text/html")
        message.send()
        CredentialEvent.objects.create(
            credential=credential,
            kind=CredentialEvent.Kind.DELIVERED,
            note=f"email to {credential.recipient_email}",
        )
    return "sent"
