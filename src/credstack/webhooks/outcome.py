"""How a webhook delivery went, as the pages show it (the Developers page and the delivery log)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from .models import WebhookDelivery


def outcome(state: str | None, attempts: int | None) -> dict | None:
    """How a delivery went, as a pill: delivered, queued, retrying, failed."""
    if state is None:
        return None
    if state == WebhookDelivery.State.SUCCEEDED:
        return {"label": _("delivered"), "pill": "pill-active"}
    if state == WebhookDelivery.State.FAILED:
        return {"label": _("failed"), "pill": "pill-failed"}
    return {"label": _("retrying") if attempts else _("queued"), "pill": "pill-pending"}
