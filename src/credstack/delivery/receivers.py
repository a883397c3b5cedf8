"""An issued credential is emailed to its recipient (an outbox consumer, decision 0036, subscribed in
``apps.py``), and again when an action asks for a resend (the same task sends both)."""

from __future__ import annotations

from django.dispatch import receiver

from credstack.credentials import signals
from credstack.credentials.models import Credential

from .actions import queue_credential_email, resend


def email_issued(payload: dict, key: str) -> None:
    """Outbox consumer of ``credential.issued``. Twice is once: ``queue_credential_email`` records the
    first email of a credential at most once."""
    # what the email's row needs (the signed document stays in the database)
    fields = ("id", "organization_id", "recipient_email")
    credential = Credential.objects.only(*fields).filter(pk=payload["credential"]).first()
    if credential is not None:
        queue_credential_email(credential)


@receiver(signals.resend_requested, dispatch_uid="delivery-email-resend")
def on_resend_requested(sender, credential, **kwargs):
    resend(credential)
