"""The learning app's tasks, for the worker. They are defined in ``actions/`` beside the actions that
queue them (see "Tasks" in docs/architecture.md); they are named here too, so rows queued under
``credstack.learning.tasks.*`` before they moved still run."""

from __future__ import annotations

from .actions import send_invitation
from .actions import send_review_nudges_task as send_review_nudges

__all__ = ["send_invitation", "send_review_nudges"]
