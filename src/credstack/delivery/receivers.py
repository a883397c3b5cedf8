"""An issued credential is emailed to its recipient (an outbox consumer, decision 0036, subscribed in
``apps.py``), and again when an action asks for a resend (the same task sends both)."""

from __future__ import annotations

from django.dispatch import receiver

from credstack.credentials import signals
from credstack.credentials.models import Credential

from .actions import queue_credential_email, queue_issued_emails, resend

# what the email's row needs (the signed document stays in the database)
FIELDS = ("id", "organization_id", "recipient_email")


def email_issued(payload: dict, key: str) -> None:
    """Outbox consumer of ``credential.issued``. Twice is once: ``queue_credential_email`` records the
    first email of a credential at most once."""
    credential = Credential.objects.only(*FIELDS).filter(pk=payload["credential"]).first()
    if credential is not None:
        queue_credential_email(credential)


def email_issued_many(items: list[tuple[dict, str]]) -> None:
    """``email_issued`` for a batch: the credentials in one query, the emails recorded in one INSERT."""
    ids = [payload["credential"] for payload, _ in items]
    by_id = Credential.objects.only(*FIELDS).in_bulk(ids)
    queue_issued_emails([by_id[pk] for pk in dict.fromkeys(ids) if pk in by_id])


@receiver(signals.resend_requested, dispatch_uid="delivery-email-resend")
def on_resend_requested(sender, credential, **kwargs):
    resend(credential)
