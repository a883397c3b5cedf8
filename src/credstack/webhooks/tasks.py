"""The webhooks app's tasks, for the worker. ``deliver_webhook`` is defined in ``actions/delivery.py`` beside the
code that queues it (see "Tasks" in docs/architecture.md); it is named here too, so rows queued under
``credstack.webhooks.tasks.deliver_webhook`` before it moved still run."""

from __future__ import annotations

from .actions import deliver_webhook

__all__ = ["deliver_webhook"]
