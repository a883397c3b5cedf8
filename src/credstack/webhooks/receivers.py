"""Credential actions become outbound events: outbox consumers (decision 0036, subscribed in
``apps.py``) for the credential changes, signal receivers for engagement and course completions."""

from __future__ import annotations

from functools import partial

from django.db.models.signals import post_save
from django.dispatch import receiver
from django.utils import timezone

from credstack.credentials import signals
from credstack.credentials.models import Credential, CredentialEvent
from credstack.learning.models import Enrolment
from credstack.pathways.models import PathwayAward

from .actions import publish
from .models import WebhookEndpoint


def credential_data(credential) -> dict:
    return {
        "id": credential.public_id,
        "url": credential.uri,
        "state": credential.state,
        "achievement": {
            "id": credential.achievement.public_id,
            "slug": credential.achievement.slug,
            "name": credential.achievement.name,
        },
        "recipient": {"name": credential.recipient_name, "email": credential.recipient_email},
        "issued_at": credential.issued_at.isoformat(),
        "valid_until": credential.valid_until.isoformat() if credential.valid_until else None,
    }


def _credential(payload: dict) -> Credential | None:
    """The credential an effect is about, or None when no endpoint of its organization is on (one small
    query then: most organizations have no endpoint)."""
    if not WebhookEndpoint.objects.filter(organization_id=payload["organization"], enabled=True).exists():
        return None
    return (
        Credential.objects.select_related("organization", "achievement")
        .filter(pk=payload["credential"])
        .first()
    )


def publish_issued(payload: dict, key: str) -> None:
    """Outbox consumer of ``credential.issued``: the event, once per credential (``key`` dedupes)."""
    credential = _credential(payload)
    if credential is not None:
        publish(credential.organization, "credential.issued", lambda: credential_data(credential), key=key)


def publish_issued_many(items: list[tuple[dict, str]]) -> None:
    """``publish_issued`` for a batch: one query when no organization of the batch has an endpoint on
    (most), else the credentials in one more and an event each (``key`` dedupes each, as before)."""
    live = set(
        WebhookEndpoint.objects.filter(
            organization_id__in={payload["organization"] for payload, _ in items}, enabled=True
        ).values_list("organization_id", flat=True)
    )
    wanted = [(payload, key) for payload, key in items if payload["organization"] in live]
    if not wanted:
        return
    by_id = Credential.objects.select_related("organization", "achievement").in_bulk(
        [payload["credential"] for payload, _ in wanted]
    )
    for payload, key in wanted:
        credential = by_id.get(payload["credential"])
        if credential is not None:
            publish(
                credential.organization, "credential.issued", partial(credential_data, credential), key=key
            )


# Every change ``credentials/signals.py`` reports (its ``event``) has an event type of the same name.
STATE_EVENTS = {
    "revoked": "credential.revoked",
    "suspended": "credential.suspended",
    "reinstated": "credential.reinstated",
    "replaced": "credential.replaced",
    "expired": "credential.expired",
    "expiry_changed": "credential.expiry_changed",
}


def publish_state_changed(payload: dict, key: str) -> None:
    """Outbox consumer of ``credential.state_changed``: the state the change left, even when the event
    goes out later than the change (a sweep after a crash)."""
    event_type = STATE_EVENTS.get(payload["event"])
    credential = _credential(payload) if event_type else None
    if event_type and credential is not None:
        state = payload.get("state") or credential.state
        publish(
            credential.organization,
            event_type,
            lambda: {**credential_data(credential), "state": state},
            key=key,
        )


ENGAGEMENT = {
    "viewed": "credential.viewed",
    "downloaded": "credential.downloaded",
    "shared": "credential.shared",
}


@receiver(post_save, sender=CredentialEvent)
def on_engagement(sender, instance, created, **kwargs):
    """Views, downloads and shares, as recorded in the credential's history, go out as events too."""
    if created:
        _publish_engagement(instance)


@receiver(signals.engagement_recorded)
def on_engagement_batch(sender, events, **kwargs):
    """The same for events the public pages buffer and write in batches (one query when nobody listens)."""

    wanted = [e for e in events if e.kind in ENGAGEMENT]
    ids = {e.credential_id for e in wanted}
    if (
        not ids
        or not WebhookEndpoint.objects.filter(enabled=True, organization__credentials__in=ids).exists()
    ):
        return
    credentials = Credential.objects.select_related("organization", "achievement").in_bulk(ids)
    for event in wanted:
        event.credential = credentials[event.credential_id]
        _publish_engagement(event)


def _publish_engagement(event) -> None:
    event_type = ENGAGEMENT.get(event.kind)
    if event_type:
        credential = event.credential
        at = (event.at or timezone.now()).isoformat()
        publish(credential.organization, event_type, lambda: {**credential_data(credential), "at": at})


def publish_course_completed(payload: dict, key: str) -> None:
    """Outbox consumer of ``learning.enrolment_completed``: the ``course.completed`` event, once."""
    enrolment = (
        Enrolment.objects.select_related("organization", "course", "learner", "credential")
        .filter(pk=payload["enrolment"])
        .first()
    )
    if enrolment is None:
        return
    course, learner, credential = enrolment.course, enrolment.learner, enrolment.credential
    publish(
        enrolment.organization,
        "course.completed",
        lambda: {
            "course": {"id": course.public_id, "slug": course.slug, "title": course.title},
            "learner": {"name": learner.name, "email": learner.email},
            "average_score": enrolment.average_score,
            "completed_at": enrolment.completed_at.isoformat() if enrolment.completed_at else None,
            "credential": credential.uri if credential is not None else None,
        },
        key=key,
    )


def publish_pathway_completed(payload: dict, key: str) -> None:
    """Outbox consumer of ``pathways.completed``: the ``pathway.completed`` event, once per award."""
    record = (
        PathwayAward.objects.select_related("pathway__organization", "pathway__achievement", "credential")
        .filter(pk=payload["award"])
        .first()
    )
    if record is None:
        return
    pathway, credential = record.pathway, record.credential
    publish(
        pathway.organization,
        "pathway.completed",
        lambda: {
            "pathway": {
                "id": pathway.public_id,
                "achievement": pathway.achievement.public_id,
                "name": pathway.name,
            },
            "recipient": {"name": credential.recipient_name, "email": credential.recipient_email},
            "credential": credential.uri,
            "completed_at": record.awarded_at.isoformat(),
        },
        key=key,
    )
