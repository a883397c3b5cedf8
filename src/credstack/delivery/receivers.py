"""An issued credential is emailed to its recipient, and again when an action asks for a resend (the
same task sends both)."""

from __future__ import annotations

from django.dispatch import receiver

from credstack.credentials import signals

from .actions import queue_credential_email, resend


@receiver(signals.credential_issued, dispatch_uid="delivery-email-issued")
def on_issued(sender, credential, **kwargs):
    queue_credential_email(credential)


@receiver(signals.resend_requested, dispatch_uid="delivery-email-resend")
def on_resend_requested(sender, credential, **kwargs):
    resend(credential)
