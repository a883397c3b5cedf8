"""Every write of the integrations app: endpoints, and receiving / processing / replaying events.

Receiving a delivery (``receive``): the endpoint's signature scheme is checked on the raw body, the body is
parsed (a JSON object, a JSON array of objects — Teachable sends its events that way, each one handled on
its own — or a urlencoded form), each event's id is read through the mapping (or the SHA-256 of its body
stands in for it), and an ``InboundEvent`` is inserted per event — unique per (endpoint, event id), so a
repeat finds the first event instead of making a second one. Then ``process`` reads the learner, score and
achievement through the mapping, checks the endpoint's conditions with the awarding engine's
``rule_holds`` (conditions are DataRule-shaped), and hands the completion to
``credstack.awarding.actions.handle_event``, which issues through the one pipeline exactly once per
learner and achievement.
"""

from __future__ import annotations

import logging
import secrets
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from credstack.achievements.models import Achievement
from credstack.awarding.actions import handle_event
from credstack.organizations import audit
from credstack.organizations.actors import Actor, as_actor

from . import presets, signatures
from .models import InboundEndpoint, InboundEvent, new_token
from .payloads import (
    PayloadError,
    clean_conditions,
    clean_mapping,
    clean_text,
    parse_body,
    parse_delivery,
    source_event_id,
)
from .queries import evaluate

log = logging.getLogger(__name__)

EVENT_TYPE = "webhook"  # the awarding engine's event type for completions arriving here


# ---------------------------------------------------------------- endpoints


def _achievement_for(organization, achievement) -> Achievement | None:
    if achievement is None or achievement == "":
        return None
    if isinstance(achievement, Achievement):
        if achievement.organization_id != organization.pk:
            raise ValidationError({"achievement": _("no such achievement in this organization")})
        return achievement
    found = (
        Achievement.objects.filter(organization=organization)
        .filter(Q(public_id=str(achievement)) | Q(slug=str(achievement)))
        .first()
    )
    if found is None:
        raise ValidationError(
            {
                "achievement": _("no achievement %(achievement)r in this organization")
                % {"achievement": achievement}
            }
        )
    return found


def create_endpoint(
    organization,
    *,
    name: str,
    preset: str = "generic",
    achievement=None,
    mapping: dict | None = None,
    conditions: list | None = None,
    signing_secret: str | None = None,
    actor: Actor | None = None,
) -> InboundEndpoint:
    """A new endpoint from a preset; ``mapping`` / ``conditions`` override the preset's."""
    if preset not in presets.PRESETS:
        raise ValidationError(
            {
                "preset": _("unknown preset %(preset)r; use one of %(presets)s")
                % {"preset": preset, "presets": sorted(presets.PRESETS)}
            }
        )
    spec = presets.PRESETS[preset]
    name = clean_text(name, "name", 120) or spec.label
    achievement = _achievement_for(organization, achievement)
    merged = {**spec.mapping, **(mapping or {})}
    if achievement is None and not merged.get("achievement"):
        raise ValidationError({"achievement": _("choose the achievement this endpoint issues")})
    clean = clean_mapping(merged, fixed_achievement=achievement is not None)
    conds = clean_conditions(spec.conditions if conditions is None else conditions)
    if signing_secret is None:
        signing_secret = secrets.token_urlsafe(24) if spec.secret_generated else ""
    signing_secret = clean_text(signing_secret, "signing_secret", 200)
    with transaction.atomic():
        endpoint = InboundEndpoint.objects.create(
            organization=organization,
            name=name,
            preset=preset,
            achievement=achievement,
            mapping=clean,
            conditions=conds,
            signing_secret=signing_secret,
        )
        audit.record(
            organization,
            as_actor(actor),
            "integration.created",
            endpoint.public_id,
            f"{endpoint.name} ({preset})",
        )
    log.info("inbound endpoint created: %s (%s) for %s", endpoint.public_id, preset, organization.slug)
    return endpoint


def update_endpoint(endpoint: InboundEndpoint, *, actor: Actor | None = None, **fields) -> InboundEndpoint:
    """Change name, achievement, mapping, conditions, signing_secret or enabled; validated as a whole."""
    org = endpoint.organization
    if "name" in fields:
        name = clean_text(fields["name"], "name", 120)
        if not name:
            raise ValidationError({"name": _("is required")})
        endpoint.name = name
    if "achievement" in fields:
        endpoint.achievement = _achievement_for(org, fields["achievement"])
    mapping = fields.get("mapping", endpoint.mapping)
    endpoint.mapping = clean_mapping(mapping, fixed_achievement=endpoint.achievement_id is not None)
    if "conditions" in fields:
        endpoint.conditions = clean_conditions(fields["conditions"])
    if "signing_secret" in fields and fields["signing_secret"] is not None:
        endpoint.signing_secret = clean_text(str(fields["signing_secret"]), "signing_secret", 200)
    if "enabled" in fields and fields["enabled"] is not None:
        endpoint.enabled = bool(fields["enabled"])
    with transaction.atomic():
        endpoint.save()
        audit.record(org, as_actor(actor), "integration.saved", endpoint.public_id, endpoint.name)
    return endpoint


def rotate_token(endpoint: InboundEndpoint, *, actor: Actor | None = None) -> InboundEndpoint:
    """A new secret URL; the old one answers 404 from now on."""
    endpoint.token = new_token()
    with transaction.atomic():
        endpoint.save(update_fields=["token", "updated_at"])
        audit.record(
            endpoint.organization,
            as_actor(actor),
            "integration.url_rotated",
            endpoint.public_id,
            endpoint.name,
        )
    log.info("inbound endpoint %s: URL rotated", endpoint.public_id)
    return endpoint


def delete_endpoint(endpoint: InboundEndpoint, *, actor: Actor | None = None) -> None:
    """Delete an endpoint and its events; its URL answers 404 from now on."""
    with transaction.atomic():
        audit.record(
            endpoint.organization, as_actor(actor), "integration.deleted", endpoint.public_id, endpoint.name
        )
        endpoint.delete()
    log.info("inbound endpoint %s deleted", endpoint.public_id)


# ---------------------------------------------------------------- receiving and processing


def receive(
    endpoint: InboundEndpoint, body: bytes, content_type: str, headers
) -> tuple[list[tuple[InboundEvent, bool]], bool]:
    """Check, parse and store a delivery, then process each of its events.

    Returns ([(event, created)], batch): ``created`` is False for a repeat of an event already received;
    ``batch`` tells that the source sent a JSON array. Raises ``PayloadError`` (401 bad signature,
    400/413/415 unreadable) and then stores nothing.
    """
    refused = signatures.check(
        presets.preset(endpoint.preset).signature, endpoint.signing_secret, body, headers
    )
    if refused:
        InboundEndpoint.objects.filter(pk=endpoint.pk).update(
            last_refused_at=timezone.now(), last_refused_reason=refused[:300]
        )
        raise PayloadError(401, f"signature check failed: {refused}")
    delivery = parse_delivery(body, content_type)
    kind = "application/json" if delivery.batch else content_type
    return [
        _receive_one(endpoint, data, item_body, kind) for data, item_body in delivery.items
    ], delivery.batch


def _receive_one(
    endpoint: InboundEndpoint, data: dict, body: bytes, content_type: str
) -> tuple[InboundEvent, bool]:
    event_id = source_event_id(endpoint.mapping, presets.view(endpoint.preset, data), body)
    try:
        with transaction.atomic():
            event = InboundEvent.objects.create(
                organization_id=endpoint.organization_id,
                endpoint=endpoint,
                source_event_id=event_id,
                content_type=(content_type or "")[:100],
                payload=body.decode("utf-8"),
            )
    except IntegrityError:
        existing = InboundEvent.objects.get(endpoint=endpoint, source_event_id=event_id)
        if _claim_unfinished(existing):
            # received before, never processed: the process that stored it died. This repeat finishes it,
            # and the source hears the real outcome, not "duplicate"
            log.warning("inbound %s: finishing event %s left unprocessed", endpoint.public_id, event_id)
            return process(_with_endpoint(existing), data), True
        log.info("inbound %s: repeat of event %s (%s)", endpoint.public_id, event_id, existing.outcome)
        return existing, False
    return process(event, data), True


# An event still "received" this long after it arrived was left by a process that died: any request
# finishes within it (the web server's timeout is 30 s).
UNFINISHED_AFTER = timedelta(seconds=60)


def _claim_unfinished(event: InboundEvent, now=None) -> bool:
    """Take over an event left unprocessed, once: a compare-and-set on its attempts, so two repeats (or
    a repeat and the sweep) never process it together. Processing issues through the awarding engine,
    which issues at most once per event id anyway."""
    now = now or timezone.now()
    if event.outcome != InboundEvent.Outcome.RECEIVED or event.received_at > now - UNFINISHED_AFTER:
        return False
    claimed = InboundEvent.objects.filter(
        pk=event.pk, outcome=InboundEvent.Outcome.RECEIVED, attempts=event.attempts
    ).update(attempts=event.attempts + 1)
    return claimed == 1


def _with_endpoint(event: InboundEvent) -> InboundEvent:
    return InboundEvent.objects.select_related("endpoint__organization", "endpoint__achievement").get(
        pk=event.pk
    )


def finish_unfinished(now=None) -> int:
    """The periodic sweep: process every event left "received" by a process that died (the source may
    never send it again). Safe to run twice. Returns how many it finished."""
    now = now or timezone.now()
    finished = 0
    stale = InboundEvent.objects.filter(
        outcome=InboundEvent.Outcome.RECEIVED, received_at__lte=now - UNFINISHED_AFTER
    ).order_by("received_at")
    for event in stale[:500]:
        if _claim_unfinished(event, now):
            process(_with_endpoint(event))
            finished += 1
    if finished:
        log.warning("inbound events finished by the sweep: %d", finished)
    return finished


def process(event: InboundEvent, data: dict | None = None) -> InboundEvent:
    """Decide and act on a stored event; records the outcome and its reason."""
    endpoint = event.endpoint
    if data is None:
        data = parse_body(event.payload.encode("utf-8"), event.content_type)
    try:
        outcome, reason, credential, ev = _decide(endpoint, data, event)
    except Exception as exc:  # recorded on the event, never a 500 for the source
        log.exception("inbound event %s failed", event.public_id)
        outcome, reason, credential, ev = (
            "failed",
            f"unexpected error: {type(exc).__name__}: {exc}",
            None,
            None,
        )
    event.outcome, event.reason, event.credential = outcome, reason[:5000], credential
    if ev is not None:
        event.recipient_email, event.recipient_name = ev.email[:254], ev.name[:500]
    event.processed_at = timezone.now()
    event.save(
        update_fields=[
            "outcome",
            "reason",
            "credential",
            "recipient_email",
            "recipient_name",
            "processed_at",
            "attempts",
        ]
    )
    log.info("inbound event %s: %s %s", event.public_id, outcome, reason)
    return event


def _decide(endpoint: InboundEndpoint, data: dict, event: InboundEvent):
    ev = evaluate(endpoint, data)
    if ev.verdict == "skipped":
        return "skipped", "condition not met: " + "; ".join(ev.unmet), None, ev
    if ev.verdict == "failed":
        return "failed", "; ".join(ev.problems), None, ev
    outcome = handle_event(
        organization=endpoint.organization,
        event_type=EVENT_TYPE,
        recipient_email=ev.email,
        recipient_name=ev.name,
        achievement=ev.achievement,
        data={"score": ev.score, "endpoint": endpoint.public_id}
        if ev.score is not None
        else {"endpoint": endpoint.public_id},
        event_id=f"{endpoint.public_id}:{event.source_event_id}"[:200],
        source="webhook",
    )
    if outcome.status == "issued":
        return "issued", "", outcome.credential, ev
    if outcome.status == "already_issued" and outcome.credential is not None:
        return (
            "skipped",
            f"{ev.email} already has this credential ({outcome.credential.public_id})",
            outcome.credential,
            ev,
        )
    return "skipped", "; ".join(outcome.reasons) or outcome.status.replace("_", " "), None, ev


class ReplayError(Exception):
    pass


def replay(event: InboundEvent, *, actor: Actor | None = None) -> InboundEvent:
    """Process a stored event again with the endpoint's current mapping (after fixing it).

    The audit row names the outcome, so it is written once processing (which issues through the
    pipeline in its own transaction) has decided it."""
    with transaction.atomic():
        locked = InboundEvent.objects.select_for_update().get(pk=event.pk)
        if locked.outcome == InboundEvent.Outcome.ISSUED:
            raise ReplayError(
                _("this event already issued its credential; replaying it would change nothing")
            )
        locked.attempts += 1
        locked.save(update_fields=["attempts"])
    event = process(
        InboundEvent.objects.select_related("endpoint__organization", "endpoint__achievement").get(
            pk=event.pk
        )
    )
    with transaction.atomic():
        audit.record(
            event.endpoint.organization,
            as_actor(actor),
            "integration.event_replayed",
            event.public_id,
            event.outcome,
        )
    return event
