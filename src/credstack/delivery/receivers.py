"""An issued credential is emailed to its recipient (the same task a resend uses)."""

from __future__ import annotations

from django.dispatch import receiver

from credstack.credentials import signals

from .actions import queue_credential_email


@receiver(signals.credential_issued, dispatch_uid="delivery-email-issued")
def on_issued(sender, credential, **kwargs):
    queue_credential_email(credential)
