"""Reads of the integrations app: what a payload means under an endpoint's mapping and conditions, and
the preview of a delivery (nothing stored, nothing issued)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q

from credstack.achievements.models import Achievement
from credstack.awarding.actions import rule_holds
from credstack.awarding.models import DataRule
from credstack.awarding.paths import MISSING, as_number, lookup
from credstack.credentials.validation import clean_email, clean_name

from . import presets
from .models import InboundEndpoint
from .payloads import PayloadError, as_text, parse_delivery, source_event_id


@dataclass
class Evaluation:
    """What a payload means under an endpoint's mapping and conditions (also the preview's content)."""

    fields: list[dict] = field(default_factory=list)  # {"label", "path", "value", "ok", "message"}
    conditions: list[dict] = field(default_factory=list)  # {"rule", "ok", "reason"}
    problems: list[str] = field(default_factory=list)  # mapping failures: the event fails
    unmet: list[str] = field(default_factory=list)  # conditions not met: the event is skipped
    email: str = ""
    name: str = ""
    score: Any = None
    achievement: Achievement | None = None

    @property
    def verdict(self) -> str:
        # An event the conditions rule out (another event type, a failed attempt) is skipped even when the
        # mapping cannot read it: it was never meant to issue, so there is nothing to fix and replay.
        if self.unmet:
            return "skipped"
        if self.problems:
            return "failed"
        return "issue"


def evaluate(endpoint: InboundEndpoint, data: dict) -> Evaluation:
    data = presets.view(endpoint.preset, data)
    mapping = endpoint.mapping or {}
    ev = Evaluation()

    def read(key: str, label: str, required: bool = False):
        path = mapping.get(key, "")
        if not path:
            return None
        raw = lookup(data, path)
        value = as_text(raw)
        if value is None:
            message = (
                f"{label}: nothing at {path!r}"
                if raw is MISSING
                else f"{label}: {path!r} is empty or not text"
            )
            ev.fields.append({"label": label, "path": path, "value": "", "ok": False, "message": message})
            if required:
                ev.problems.append(message)
        else:
            ev.fields.append({"label": label, "path": path, "value": value, "ok": True, "message": ""})
        return value

    email = read("email", "Recipient email", required=True)
    if email:
        try:
            ev.email = clean_email(email, "email").lower()
        except ValidationError:
            ev.problems.append(
                f"Recipient email: {email!r} (from {mapping['email']!r}) is not a valid email address"
            )
    name = read("name", "Recipient name")
    if not name:
        first, last = read("first_name", "First name"), read("last_name", "Last name")
        name = " ".join(p for p in (first, last) if p)
    if not name:
        paths = [mapping[k] for k in ("name", "first_name", "last_name") if mapping.get(k)]
        ev.problems.append("Recipient name: nothing at " + " / ".join(repr(p) for p in paths))
    else:
        try:
            ev.name = clean_name(name, "name")
        except ValidationError as exc:
            ev.problems.append("Recipient name: " + "; ".join(exc.messages))
    score = read("score", "Score")
    if score is not None:
        ev.score = as_number(score) if as_number(score) is not None else score
    if endpoint.achievement_id:
        ev.achievement = endpoint.achievement
    elif not mapping.get("achievement"):
        ev.problems.append("Achievement: none chosen for this endpoint and no payload path mapped to one")
    else:
        ref = read("achievement", "Achievement", required=True)
        if ref:
            ev.achievement = (
                Achievement.objects.filter(organization_id=endpoint.organization_id)
                .filter(Q(slug=ref) | Q(public_id=ref))
                .first()
            )
            if ev.achievement is None:
                ev.problems.append(
                    f"Achievement: {ref!r} (from {mapping['achievement']!r}) is not an achievement of this organization"
                )
    if ev.achievement is not None and getattr(ev.achievement, "archived", False):
        ev.problems.append(f"Achievement: {ev.achievement.name!r} is archived")
    for cond in endpoint.conditions or []:
        rule = DataRule(data_path=cond["path"], operator=cond["operator"], value=cond.get("value"))
        ok, reason = rule_holds(rule, data)
        ev.conditions.append({"rule": str(rule), "ok": ok, "reason": "" if ok else reason})
        if not ok:
            ev.unmet.append(reason)
    return ev


def preview(
    endpoint: InboundEndpoint, body: bytes, content_type: str = "application/json"
) -> tuple[list[tuple[Evaluation, str]], str]:
    """What the endpoint would do with each event of this delivery, without storing or issuing anything.

    Returns ([(evaluation, source event id)], "") or ([], why the payload cannot be read).
    """
    try:
        delivery = parse_delivery(body, content_type)
    except PayloadError as exc:
        return [], exc.message
    return [
        (
            evaluate(endpoint, data),
            source_event_id(endpoint.mapping, presets.view(endpoint.preset, data), item_body),
        )
        for data, item_body in delivery.items
    ], ""
