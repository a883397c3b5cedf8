"""How a webhook delivery went, as the pages show it (the Developers page and the delivery log)."""

from __future__ import annotations

from .models import WebhookDelivery


def outcome(state: str | None, attempts: int | None) -> dict | None:
    """How a delivery went, as a pill: delivered, queued, retrying, failed."""
    if state is None:
        return None
    if state == WebhookDelivery.State.SUCCEEDED:
        return {"label": "delivered", "pill": "pill-active"}
    if state == WebhookDelivery.State.FAILED:
        return {"label": "failed", "pill": "pill-failed"}
    return {"label": "retrying" if attempts else "queued", "pill": "pill-pending"}
