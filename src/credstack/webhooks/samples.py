"""Sample event bodies for REST Hooks clients (Zapier, Make, n8n).

Such platforms ask for a few recent events when a user sets up a trigger, to show the fields they can
map. ``recent`` answers with the organization's own latest bodies of that type, exactly as they were
sent; an organization that has none yet gets one example of the same shape.
"""

from __future__ import annotations

import json

from credstack.organizations.models import Organization

from .models import EVENT_TYPES, WebhookMessage

_CREDENTIAL = {
    "id": "q7ZpX3kL9sVwC2mHtR4yBg",
    "url": "https://credentials.example.org/c/q7ZpX3kL9sVwC2mHtR4yBg",
    "state": "active",
    "achievement": {"id": "b5Hn2Qe8KxWcTz0JpLm1Aa", "slug": "data-literacy", "name": "Data Literacy"},
    "recipient": {"name": "Amara Okafor", "email": "amara.okafor@example.com"},
    "issued_at": "2026-11-30T09:15:00+00:00",
    "valid_until": None,
}

_STATES = {
    "credential.revoked": "revoked",
    "credential.suspended": "suspended",
    "credential.reinstated": "active",
    "credential.expired": "expired",
    "credential.expiry_changed": "active",
    "credential.replaced": "replaced",
}


def example(event_type: str) -> dict:
    """One body of ``event_type`` with made-up values, in the shape every real one has."""
    data: dict
    if event_type in ("credential.viewed", "credential.downloaded", "credential.shared"):
        data = {**_CREDENTIAL, "at": "2026-11-30T10:02:11+00:00"}
    elif event_type.startswith("credential."):
        data = {**_CREDENTIAL, "state": _STATES.get(event_type, "active")}
    elif event_type == "course.completed":
        data = {
            "course": {"id": "c3Rt6Yu8Io0PaS2dFg4hJk", "slug": "data-literacy", "title": "Data Literacy"},
            "learner": {"name": "Amara Okafor", "email": "amara.okafor@example.com"},
            "average_score": 92.5,
            "completed_at": "2026-11-30T09:14:58+00:00",
            "credential": _CREDENTIAL["url"],
        }
    else:  # pathway.completed
        data = {
            "pathway": {
                "id": "p9Lk7Jh5Gf3Ds1Aq0WeRtY",
                "achievement": "a1Sd3Fg5Hj7Kl9Zx2Cv4Bn",
                "name": "Data Analyst",
            },
            "recipient": {"name": "Amara Okafor", "email": "amara.okafor@example.com"},
            "credential": _CREDENTIAL["url"],
            "completed_at": "2026-11-30T09:15:00+00:00",
        }
    return {"type": event_type, "timestamp": "2026-11-30T09:15:01Z", "data": data}


def recent(organization: Organization, event_type: str, limit: int = 3) -> list[dict]:
    """The organization's latest bodies of ``event_type`` (newest first), or one example."""
    if event_type not in EVENT_TYPES:
        raise ValueError(f"unknown event type {event_type!r}")
    bodies = (
        WebhookMessage.objects.filter(organization=organization, event_type=event_type)
        .order_by("-id")
        .values_list("payload", flat=True)[:limit]
    )
    return [json.loads(body) for body in bodies] or [example(event_type)]
