"""Credential emails: the organization's templates, sending, and recording what became of each email.

Template changes are actions that take an ``Actor``, check the admin role and write the audit row.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.utils import timezone

from credstack.achievements.models import Achievement
from credstack.credentials.models import Credential, CredentialEvent
from credstack.organizations import audit
from credstack.organizations.actors import Actor
from credstack.organizations.models import Organization, Role
from credstack.organizations.rules import require_role

from . import rendering
from .models import Delivery, EmailTemplate

log = logging.getLogger(__name__)
REMINDER_DAYS = 30


def _template_target(kind: str, achievement: Achievement | None) -> str:
    return f"{kind} email" + (f" of {achievement.slug}" if achievement else "")


def _check_template_scope(
    org: Organization, kind: str, achievement: Achievement | None, actor: Actor
) -> None:
    if kind not in EmailTemplate.Kind.values:
        raise rendering.TemplateError({"kind": f"choose one of {', '.join(EmailTemplate.Kind.values)}"})
    if achievement is not None and achievement.organization_id != org.pk:
        raise rendering.TemplateError({"achievement": "not an achievement of this organization"})
    require_role(org, actor, Role.ADMIN, "Only owners and admins change email templates.")


def save_email_template(
    org: Organization,
    kind: str,
    achievement: Achievement | None,
    *,
    subject: str,
    body: str,
    actor: Actor,
) -> EmailTemplate:
    """Save the organization's (achievement None) or one achievement's email of ``kind``.

    ``rendering.TemplateError`` names the field for an unknown merge tag, an empty or too long subject,
    a control character; nothing is saved then.
    """
    body = body.replace("\r\n", "\n")
    rendering.check_template(subject, body)
    if len(body) > EmailTemplate._meta.get_field("body").max_length:
        raise rendering.TemplateError({"body": "is too long"})
    _check_template_scope(org, kind, achievement, actor)
    with transaction.atomic():
        row, _ = EmailTemplate.objects.update_or_create(
            organization=org, achievement=achievement, kind=kind, defaults={"subject": subject, "body": body}
        )
        audit.record(org, actor, "email_template.saved", _template_target(kind, achievement), subject)
    return row


def reset_email_template(
    org: Organization, kind: str, achievement: Achievement | None, *, actor: Actor
) -> bool:
    """Back to the default (or, for an achievement, the organization's) email. False if nothing to reset."""
    _check_template_scope(org, kind, achievement, actor)
    with transaction.atomic():
        deleted, _ = EmailTemplate.objects.filter(
            organization=org, achievement=achievement, kind=kind
        ).delete()
        if deleted:
            audit.record(org, actor, "email_template.reset", _template_target(kind, achievement))
    return bool(deleted)


def send_credential_email(credential_id: int, kind: str = Delivery.Kind.ISSUED) -> Delivery | None:
    """Email the recipient. The first "issued" email goes out at most once; resends and reminders are
    explicit. Records DELIVERED or DELIVERY_FAILED on the credential."""
    credential = Credential.objects.select_related("organization", "achievement").get(pk=credential_id)
    if (
        kind == Delivery.Kind.ISSUED
        and credential.deliveries.filter(
            kind=Delivery.Kind.ISSUED, state__in=["sent", "opened", "clicked"]
        ).exists()
    ):
        return None
    try:
        delivery = Delivery.objects.create(
            credential=credential,
            organization=credential.organization,
            kind=kind,
            to=credential.recipient_email,
        )
    except IntegrityError:  # a second expiry reminder
        return None
    template_kind = EmailTemplate.Kind.EXPIRY if kind == Delivery.Kind.EXPIRY else EmailTemplate.Kind.ISSUED
    subject, body = rendering.template_for(credential, template_kind)
    message = rendering.render_message(credential, subject, body, token=delivery.token)
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.text,
        to=[credential.recipient_email],
        reply_to=[credential.organization.email] if credential.organization.email else None,
        headers={"X-Credstack-Delivery": delivery.token},
    )
    email.attach_alternative(message.html, "text/html")
    try:
        email.send()
    except Exception as exc:  # any transport failure is recorded, not raised into the worker
        delivery.state, delivery.error = Delivery.State.FAILED, f"{type(exc).__name__}: {exc}"[:2000]
        delivery.save(update_fields=["state", "error"])
        CredentialEvent.objects.create(
            credential=credential,
            kind=CredentialEvent.Kind.DELIVERY_FAILED,
            note=f"{kind} email: {delivery.error}",
        )
        log.warning("credential email failed: %s (%s)", credential.public_id, delivery.error)
        return delivery
    delivery.state, delivery.sent_at = Delivery.State.SENT, timezone.now()
    delivery.save(update_fields=["state", "sent_at"])
    CredentialEvent.objects.create(
        credential=credential,
        kind=CredentialEvent.Kind.DELIVERED,
        note=f"{kind} email to {credential.recipient_email}",
    )
    return delivery


def resend(credential: Credential) -> None:
    """Queue the credential's email again (after the caller's commit)."""
    from .tasks import send_email

    transaction.on_commit(lambda: send_email.enqueue(credential.pk, Delivery.Kind.RESEND))


def record_open(token: str) -> bool:
    delivery = Delivery.objects.filter(token=token).first()
    if delivery is None:
        return False
    now = timezone.now()
    if delivery.opened_at is None:
        Delivery.objects.filter(pk=delivery.pk, opened_at__isnull=True).update(
            opened_at=now, state=Delivery.State.OPENED if delivery.state == "sent" else delivery.state
        )
        CredentialEvent.objects.create(credential_id=delivery.credential_id, kind=CredentialEvent.Kind.OPENED)
    return True


def record_click(token: str, target: str) -> Delivery | None:
    delivery = Delivery.objects.select_related("credential").filter(token=token).first()
    if delivery is None:
        return None
    now = timezone.now()
    updates = {"state": Delivery.State.CLICKED}
    if delivery.opened_at is None:  # a click proves the email was opened (images may be blocked)
        updates["opened_at"] = now
    if delivery.clicked_at is None:
        updates["clicked_at"] = now
        CredentialEvent.objects.create(
            credential_id=delivery.credential_id, kind=CredentialEvent.Kind.CLICKED, note=target
        )
    Delivery.objects.filter(pk=delivery.pk).update(**updates)
    return delivery


def delivery_state(credential: Credential) -> str:
    """The furthest state of the credential's latest email: "", queued, sent, failed, opened, clicked."""
    latest = credential.deliveries.order_by("-created_at", "-id").first()
    return latest.state if latest else ""


def due_for_reminder(now=None, days: int = REMINDER_DAYS):
    now = now or timezone.now()
    return (
        Credential.objects.filter(
            state=Credential.State.ACTIVE, valid_until__gt=now, valid_until__lte=now + timedelta(days=days)
        )
        .exclude(deliveries__kind=Delivery.Kind.EXPIRY)
        .values_list("pk", flat=True)
    )


def send_expiry_reminders(now=None, days: int = REMINDER_DAYS) -> int:
    """Email every active credential that expires within ``days`` and has had no reminder. Safe to
    run as often as wanted (one reminder per credential, enforced by a unique constraint)."""
    sent = 0
    for pk in list(due_for_reminder(now, days)[:10000]):
        delivery = send_credential_email(pk, Delivery.Kind.EXPIRY)
        sent += bool(delivery and delivery.state == Delivery.State.SENT)
    return sent
