"""Credential emails: the organization's templates, sending, and recording what became of each email.

Every credential email is a ``Delivery`` row first, then attempts: the first one right away, and after
a transient failure more on the platform's one retry schedule (``credstack.retry``, decision 0026).
Template changes are actions that take an ``Actor``, check the admin role and write the audit row.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from credstack import taskqueues
from credstack.achievements.models import Achievement
from credstack.credentials.models import Credential, CredentialEvent
from credstack.organizations import audit, languages
from credstack.organizations.actors import Actor
from credstack.organizations.brand import sender
from credstack.organizations.models import Organization, Role
from credstack.organizations.rules import require_role
from credstack.retry import LEASE, POLICY, transient_smtp_error

from . import rendering
from .models import Delivery, EmailTemplate

log = logging.getLogger(__name__)
REMINDER_DAYS = 30
PENDING_STATES = (Delivery.State.QUEUED, Delivery.State.RETRYING)


def _new_delivery(credential: Credential, kind: str, now: datetime) -> Delivery | None:
    """The row for one email, due now; None when it must not be sent (see ``send_credential_email``)."""
    if (
        kind == Delivery.Kind.ISSUED
        and credential.deliveries.filter(kind=Delivery.Kind.ISSUED)
        .exclude(state=Delivery.State.FAILED)
        .exists()
    ):
        return None  # sent, or being sent / retried: the first email goes out at most once
    try:
        with transaction.atomic():
            return Delivery.objects.create(
                credential=credential,
                organization_id=credential.organization_id,
                kind=kind,
                to=credential.recipient_email,
                next_attempt_at=now,
            )
    except IntegrityError:  # a second expiry reminder
        return None


def queue_credential_email(credential: Credential, kind: str = Delivery.Kind.ISSUED) -> Delivery | None:
    """Record the email and send it after the caller's commit (task ``send_email``): the one way issue,
    resend and everything else email a credential. The first "issued" email goes out at most once."""
    delivery = _new_delivery(credential, kind, timezone.now())
    if delivery is not None:
        transaction.on_commit(lambda: _queue(delivery.pk))
    return delivery


def queue_issued_emails(credentials: list[Credential]) -> list[Delivery]:
    """``queue_credential_email(c)`` for every credential of a batch just issued: one query finds those
    emailed already (at most once still holds), one INSERT records the rest, each sent after the commit."""
    now = timezone.now()
    emailed = set(
        Delivery.objects.filter(credential__in=credentials, kind=Delivery.Kind.ISSUED)
        .exclude(state=Delivery.State.FAILED)
        .values_list("credential_id", flat=True)
    )
    rows = Delivery.objects.bulk_create(
        Delivery(
            credential=credential,
            organization_id=credential.organization_id,
            kind=Delivery.Kind.ISSUED,
            to=credential.recipient_email,
            next_attempt_at=now,
        )
        for credential in credentials
        if credential.pk not in emailed
    )
    ids = [row.pk for row in rows]

    def queue_all() -> None:
        if len(ids) == 1:
            _queue(ids[0])
        elif ids:  # one task for the batch's first attempts, not one per email (decision 0063)
            send_emails.enqueue(ids)

    transaction.on_commit(queue_all)
    return rows


def _template_target(kind: str, achievement: Achievement | None) -> str:
    return f"{kind} email" + (f" of {achievement.slug}" if achievement else "")


def _check_template_scope(
    org: Organization, kind: str, achievement: Achievement | None, actor: Actor
) -> None:
    if kind not in EmailTemplate.Kind.values:
        raise rendering.TemplateError(
            {"kind": _("choose one of %(kinds)s") % {"kinds": ", ".join(EmailTemplate.Kind.values)}}
        )
    if achievement is not None and achievement.organization_id != org.pk:
        raise rendering.TemplateError({"achievement": _("not an achievement of this organization")})
    require_role(org, actor, Role.ADMIN, _("Only owners and admins change email templates."))


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
    limit = EmailTemplate._meta.get_field("body").max_length
    if limit is not None and len(body) > limit:
        raise rendering.TemplateError({"body": _("is too long")})
    _check_template_scope(org, kind, achievement, actor)
    with transaction.atomic():
        row, _created = EmailTemplate.objects.update_or_create(
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
        deleted, _kinds = EmailTemplate.objects.filter(
            organization=org, achievement=achievement, kind=kind
        ).delete()
        if deleted:
            audit.record(org, actor, "email_template.reset", _template_target(kind, achievement))
    return bool(deleted)


def send_credential_email(credential_id: int, kind: str = Delivery.Kind.ISSUED) -> Delivery | None:
    """Record the email and make its first attempt now (the expiry reminders' periodic job sends this way).

    The first "issued" email goes out at most once; resends and reminders are explicit."""
    credential = Credential.objects.select_related("organization").get(pk=credential_id)
    now = timezone.now()
    delivery = _new_delivery(credential, kind, now)
    return attempt(delivery.pk, now) if delivery else None


def resend(credential: Credential) -> None:
    """Queue the credential's email again (after the caller's commit)."""
    queue_credential_email(credential, Delivery.Kind.RESEND)


@task(queue_name=taskqueues.EMAIL)
def send_email(delivery_id: int) -> str:
    """Attempt one credential email (first try or retry): the one task that sends a credential's email.
    Defined here, beside the code that queues it ("Tasks" in docs/architecture.md)."""
    return attempt(delivery_id).state


@task(queue_name=taskqueues.EMAIL)
def send_emails(delivery_ids: list[int]) -> int:
    """The first attempts of a batch's emails (a bulk chunk's), one after the other, each as ``send_email``
    attempts it (its retries are queued one by one). An attempt that raises is logged and left due: the
    periodic ``send_due`` attempts it. Returns how many of them are sent (by this run or an earlier one)."""
    sent = 0
    for pk in delivery_ids:
        try:
            sent += attempt(pk).state == Delivery.State.SENT
        except Exception:  # the others still go; this one stays due for ``send_due``
            log.exception("email delivery %s: the attempt failed", pk)
    return sent


def _queue(delivery_id: int, run_after: datetime | None = None) -> bool:
    if run_after is None:
        send_email.enqueue(delivery_id)
        return True
    if not send_email.get_backend().supports_defer:
        return False  # a backend that cannot defer (the tests' immediate one): ``send_due`` sweeps
    send_email.using(run_after=run_after).enqueue(delivery_id)
    return True


def _message(delivery: Delivery) -> EmailMultiAlternatives:
    credential = delivery.credential
    kind = EmailTemplate.Kind.EXPIRY if delivery.kind == Delivery.Kind.EXPIRY else EmailTemplate.Kind.ISSUED
    # in the credential's language: its achievement's, else its organization's (issue 17)
    with translation.override(languages.for_email(credential.organization, credential.achievement)):
        subject, body = rendering.template_for(credential, kind)
        message = rendering.render_message(credential, subject, body, token=delivery.token)
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.text,
        from_email=sender(credential.organization),
        to=[delivery.to],
        reply_to=[credential.organization.email] if credential.organization.email else None,
        headers={"X-Credstack-Delivery": delivery.token},
    )
    email.attach_alternative(message.html, "text/html")
    return email


def attempt(delivery_id: int, now: datetime | None = None) -> Delivery:
    """Send one email if it is due; on a transient failure schedule the next attempt. Safe to call twice.

    The attempt first takes the row (``next_attempt_at`` moves a lease ahead, in one conditional UPDATE),
    so two workers, or a worker and the sweep, never both send it. Records DELIVERED on the credential
    when sent, DELIVERY_FAILED once given up (a permanent failure, or the last attempt of the schedule).
    """
    now = now or timezone.now()
    taken = Delivery.objects.filter(
        pk=delivery_id, state__in=PENDING_STATES, next_attempt_at__lte=now
    ).update(next_attempt_at=now + LEASE)
    delivery = Delivery.objects.select_related("credential__organization", "credential__achievement").get(
        pk=delivery_id
    )
    if not taken:
        return delivery
    credential = delivery.credential
    try:
        _message(delivery).send()
    except Exception as exc:  # any failure is recorded, not raised into the worker
        error = f"{type(exc).__name__}: {exc}"[:1900]
        transient = transient_smtp_error(exc)
    else:
        error, transient = "", False
    delivery.attempts += 1
    if not error:
        delivery.state, delivery.sent_at, delivery.error = Delivery.State.SENT, now, ""
        delivery.next_attempt_at = None
        note = f"{delivery.kind} email to {delivery.to}"
        if delivery.attempts > 1:
            note += f" (attempt {delivery.attempts})"
        with transaction.atomic():
            delivery.save(update_fields=["state", "sent_at", "error", "attempts", "next_attempt_at"])
            CredentialEvent.objects.create(
                credential=credential, kind=CredentialEvent.Kind.DELIVERED, note=note
            )
        return delivery
    retry_at = POLICY.next_attempt_at(now, delivery.attempts) if transient else None
    delivery.error, delivery.next_attempt_at = error, retry_at
    if retry_at is not None:
        delivery.state = Delivery.State.RETRYING
        delivery.save(update_fields=["state", "error", "attempts", "next_attempt_at"])
        log.info("credential email will be retried: %s (%s)", credential.public_id, error)
        transaction.on_commit(lambda: _queue(delivery.pk, run_after=retry_at))
        return delivery
    delivery.state = Delivery.State.FAILED
    why = f"after {delivery.attempts} attempts" if transient else "permanent failure"
    with transaction.atomic():
        delivery.save(update_fields=["state", "error", "attempts", "next_attempt_at"])
        CredentialEvent.objects.create(
            credential=credential,
            kind=CredentialEvent.Kind.DELIVERY_FAILED,
            note=f"{delivery.kind} email ({why}): {error}",
        )
    log.warning("credential email failed: %s (%s)", credential.public_id, error)
    return delivery


def send_due(now: datetime | None = None, limit: int = 500) -> int:
    """Attempt the emails that are due, oldest first (periodic: the retries a backend that cannot defer
    never ran, and any attempt whose worker died). Returns how many were sent."""
    now = now or timezone.now()
    due = list(
        Delivery.objects.filter(state__in=PENDING_STATES, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    return sum(attempt(pk, now).state == Delivery.State.SENT for pk in due)


# ---- bounces and complaints reported later by the mail provider --------------------------------------

REPORTS = {"bounce": "bounced", "complaint": "was marked as spam by its recipient"}


class UnknownDelivery(LookupError):
    pass


def record_report(token: str, kind: str, reason: str = "", actor: Actor | None = None) -> Delivery:
    """A mail provider reports that a sent email bounced (the recipient's server refused it after the
    provider accepted it) or drew a spam complaint. ``token`` is the email's ``X-Credstack-Delivery``
    header. The delivery becomes FAILED with the reason, which the workspace shows; the credential's history
    and the audit log say so. Raises ValueError for an unknown ``kind``, UnknownDelivery for a token that
    names no email; either changes nothing."""
    if kind not in REPORTS:
        raise ValueError(f"type must be one of: {', '.join(REPORTS)}")
    reason = " ".join(str(reason or "").split())[:500]
    delivery = Delivery.objects.select_related("credential__organization").filter(token=token).first()
    if delivery is None:
        raise UnknownDelivery("no email with this delivery token was sent here")
    actor = actor or Actor.system("mail provider")
    credential = delivery.credential
    note = f"{delivery.kind} email to {delivery.to} {REPORTS[kind]}" + (f": {reason}" if reason else "")
    with transaction.atomic():
        delivery.state, delivery.next_attempt_at = Delivery.State.FAILED, None
        delivery.error = f"{kind}: {reason}" if reason else kind
        delivery.save(update_fields=["state", "error", "next_attempt_at"])
        CredentialEvent.objects.create(
            credential=credential, kind=CredentialEvent.Kind.DELIVERY_FAILED, note=note
        )
        audit.record(credential.organization, actor, f"delivery.{kind}", credential.public_id, note)
    log.warning("credential email %s: %s", kind, credential.public_id)
    return delivery


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
    delivery = (
        Delivery.objects.select_related("credential__organization", "credential__achievement")
        .filter(token=token)
        .first()
    )
    if delivery is None:
        return None
    now = timezone.now()
    updates: dict[str, object] = {"state": Delivery.State.CLICKED}
    if delivery.opened_at is None:  # a click proves the email was opened (images may be blocked)
        updates["opened_at"] = now
    if delivery.clicked_at is None:
        updates["clicked_at"] = now
        CredentialEvent.objects.create(
            credential_id=delivery.credential_id, kind=CredentialEvent.Kind.CLICKED, note=target
        )
    if target == "linkedin":  # counted as "Added to LinkedIn", as the portal's button is
        CredentialEvent.objects.create(
            credential_id=delivery.credential_id, kind=CredentialEvent.Kind.LINKEDIN
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
