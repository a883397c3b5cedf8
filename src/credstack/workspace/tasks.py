"""Background work of the workspace: bulk issuance jobs and resent emails."""

from __future__ import annotations

from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django_tasks import task

from credstack.credentials.models import Credential, CredentialEvent


@task()
def resend_email(credential_id: int) -> str:
    """Send the issued-credential email again (the issuer asked for it)."""
    credential = Credential.objects.select_related("organization", "achievement").get(pk=credential_id)
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
        note=f"resent to {credential.recipient_email}",
    )
    return "sent"


@task()
def run_bulk_job(job_id: int) -> str:
    from .bulk import run_job

    job = run_job(job_id)
    return job.state


@task()
def purge_bulk_uploads() -> int:
    """Daily (credstack.scheduler) or ``credstack manage purge_bulk_uploads`` from cron."""
    from .bulk import purge_uploads

    return purge_uploads()
