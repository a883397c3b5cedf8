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

import hashlib
import json
import logging
import secrets
import unicodedata
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from credstack.achievements.models import Achievement
from credstack.awarding.actions import MISSING, as_number, handle_event, lookup, rule_holds
from credstack.awarding.models import DataRule
from credstack.credentials.validation import clean_email, clean_name

from . import presets, signatures
from .models import MAX_BODY_BYTES, InboundEndpoint, InboundEvent, new_token

log = logging.getLogger(__name__)

EVENT_TYPE = "webhook"  # the awarding engine's event type for completions arriving here
MAX_CONDITIONS = 20
MAX_PATH = 300
MAX_EVENTS_PER_DELIVERY = 100  # items of one JSON-array delivery
OPERATORS = {value for value, _ in DataRule.Operator.choices}


class PayloadError(Exception):
    """A delivery that cannot be read: answered with ``status`` and this message; nothing is stored."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status, self.message = status, message


# ---------------------------------------------------------------- endpoints


def _clean_path(value, field_name: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValidationError({field_name: "must be text (a dotted path such as result.email)"})
    value = value.strip()
    if len(value) > MAX_PATH:
        raise ValidationError(
            {field_name: f"is {len(value)} characters long; at most {MAX_PATH} are allowed"}
        )
    for char in value:
        if unicodedata.category(char) in ("Cc", "Cs", "Cn"):
            raise ValidationError({field_name: f"contains the control character U+{ord(char):04X}"})
    return value


def clean_mapping(mapping: dict | None, *, fixed_achievement: bool) -> dict:
    mapping = mapping or {}
    if not isinstance(mapping, dict):
        raise ValidationError({"mapping": "must be an object of field → path"})
    known = {key for key, _, _ in presets.MAPPING_FIELDS}
    unknown = sorted(set(mapping) - known)
    if unknown:
        raise ValidationError(
            {f"mapping.{unknown[0]}": f"is not a mapping field; use one of {sorted(known)}"}
        )
    out = {key: _clean_path(mapping.get(key), f"mapping.{key}") for key in known}
    out = {k: v for k, v in out.items() if v}
    if not out.get("email"):
        raise ValidationError(
            {"mapping.email": "is required: where is the recipient's email in the payload?"}
        )
    if not out.get("name") and not out.get("first_name"):
        raise ValidationError({"mapping.name": "is required (or a first name path)"})
    if not fixed_achievement and not out.get("achievement"):
        raise ValidationError(
            {
                "achievement": "choose the achievement to issue, or map a payload path to it (mapping.achievement)"
            }
        )
    return out


def parse_value(text: str) -> Any:
    """A condition value typed in a form: JSON when it parses (true, 80, "x", [..]), else the text."""
    text = (text or "").strip()
    try:
        return json.loads(text)
    except ValueError:
        return text


def clean_conditions(conditions) -> list[dict]:
    if conditions is None:
        return []
    if not isinstance(conditions, list):
        raise ValidationError({"conditions": "must be a list of {path, operator, value}"})
    if len(conditions) > MAX_CONDITIONS:
        raise ValidationError({"conditions": f"at most {MAX_CONDITIONS} conditions"})
    out = []
    for n, cond in enumerate(conditions):
        if not isinstance(cond, dict):
            raise ValidationError({f"conditions.{n}": "must be an object with path, operator and value"})
        path = _clean_path(cond.get("path"), f"conditions.{n}.path")
        if not path:
            raise ValidationError({f"conditions.{n}.path": "is required"})
        operator = cond.get("operator") or "eq"
        if operator not in OPERATORS:
            raise ValidationError({f"conditions.{n}.operator": f"must be one of {sorted(OPERATORS)}"})
        value = cond.get("value")
        if operator in ("gte", "gt", "lte", "lt") and as_number(value) is None:
            raise ValidationError(
                {f"conditions.{n}.value": f"must be a number for {operator!r}, not {value!r}"}
            )
        if operator == "in" and isinstance(value, str):
            value = [v.strip() for v in value.split(",") if v.strip()]
        try:
            encoded = json.dumps(value)
        except (TypeError, ValueError):
            raise ValidationError({f"conditions.{n}.value": "must be a JSON value"})
        if "\\u0000" in encoded or len(encoded) > 2000:
            raise ValidationError(
                {f"conditions.{n}.value": "must be at most 2000 characters of JSON, without NUL"}
            )
        out.append({"path": path, "operator": operator, "value": value})
    return out


def _achievement_for(organization, achievement) -> Achievement | None:
    if achievement is None or achievement == "":
        return None
    if isinstance(achievement, Achievement):
        if achievement.organization_id != organization.pk:
            raise ValidationError({"achievement": "no such achievement in this organization"})
        return achievement
    found = (
        Achievement.objects.filter(organization=organization)
        .filter(Q(public_id=str(achievement)) | Q(slug=str(achievement)))
        .first()
    )
    if found is None:
        raise ValidationError({"achievement": f"no achievement {achievement!r} in this organization"})
    return found


def _clean_text(value, field_name: str, limit: int) -> str:
    value = (value or "").strip() if isinstance(value, str) else ""
    if len(value) > limit:
        raise ValidationError({field_name: f"at most {limit} characters"})
    for char in value:
        if unicodedata.category(char) in ("Cc", "Cs", "Cn"):
            raise ValidationError({field_name: f"contains the control character U+{ord(char):04X}"})
    return value


def create_endpoint(
    organization,
    *,
    name: str,
    preset: str = "generic",
    achievement=None,
    mapping: dict | None = None,
    conditions: list | None = None,
    signing_secret: str | None = None,
) -> InboundEndpoint:
    """A new endpoint from a preset; ``mapping`` / ``conditions`` override the preset's."""
    if preset not in presets.PRESETS:
        raise ValidationError({"preset": f"unknown preset {preset!r}; use one of {sorted(presets.PRESETS)}"})
    spec = presets.PRESETS[preset]
    name = _clean_text(name, "name", 120) or spec.label
    achievement = _achievement_for(organization, achievement)
    merged = {**spec.mapping, **(mapping or {})}
    if achievement is None and not merged.get("achievement"):
        raise ValidationError({"achievement": "choose the achievement this endpoint issues"})
    clean = clean_mapping(merged, fixed_achievement=achievement is not None)
    conds = clean_conditions(spec.conditions if conditions is None else conditions)
    if signing_secret is None:
        signing_secret = secrets.token_urlsafe(24) if spec.secret_generated else ""
    endpoint = InboundEndpoint.objects.create(
        organization=organization,
        name=name,
        preset=preset,
        achievement=achievement,
        mapping=clean,
        conditions=conds,
        signing_secret=_clean_text(signing_secret, "signing_secret", 200),
    )
    log.info("inbound endpoint created: %s (%s) for %s", endpoint.public_id, preset, organization.slug)
    return endpoint


def update_endpoint(endpoint: InboundEndpoint, **fields) -> InboundEndpoint:
    """Change name, achievement, mapping, conditions, signing_secret or enabled; validated as a whole."""
    org = endpoint.organization
    if "name" in fields:
        name = _clean_text(fields["name"], "name", 120)
        if not name:
            raise ValidationError({"name": "is required"})
        endpoint.name = name
    if "achievement" in fields:
        endpoint.achievement = _achievement_for(org, fields["achievement"])
    mapping = fields.get("mapping", endpoint.mapping)
    endpoint.mapping = clean_mapping(mapping, fixed_achievement=endpoint.achievement_id is not None)
    if "conditions" in fields:
        endpoint.conditions = clean_conditions(fields["conditions"])
    if "signing_secret" in fields and fields["signing_secret"] is not None:
        endpoint.signing_secret = _clean_text(str(fields["signing_secret"]), "signing_secret", 200)
    if "enabled" in fields and fields["enabled"] is not None:
        endpoint.enabled = bool(fields["enabled"])
    endpoint.save()
    return endpoint


def rotate_token(endpoint: InboundEndpoint) -> InboundEndpoint:
    """A new secret URL; the old one answers 404 from now on."""
    endpoint.token = new_token()
    endpoint.save(update_fields=["token", "updated_at"])
    log.info("inbound endpoint %s: URL rotated", endpoint.public_id)
    return endpoint


# ---------------------------------------------------------------- reading a payload


def _decode(body: bytes, content_type: str) -> Any:
    """The delivery as a JSON value, or a dict for a urlencoded form (repeated keys become lists)."""
    kind = (content_type or "").split(";")[0].strip().lower()
    if len(body) > MAX_BODY_BYTES:
        raise PayloadError(413, f"the payload is {len(body)} bytes; at most {MAX_BODY_BYTES} are accepted")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise PayloadError(400, f"the payload is not UTF-8 (invalid byte at offset {exc.start})")
    if "\x00" in text:
        raise PayloadError(400, f"the payload contains a NUL character at offset {text.index(chr(0))}")
    stripped = text.lstrip("\ufeff \t\r\n")
    is_form = kind == "application/x-www-form-urlencoded" or (
        not kind.endswith("json") and stripped[:1] not in ("{", "[") and "=" in stripped
    )
    if kind.startswith("multipart/"):
        raise PayloadError(415, "send JSON (application/json) or a urlencoded form, not multipart")
    if is_form:
        pairs = parse_qsl(text, keep_blank_values=True)
        data: dict[str, Any] = {}
        for key, value in pairs:
            if key in data:
                data[key] = (data[key] if isinstance(data[key], list) else [data[key]]) + [value]
            else:
                data[key] = value
        if not data:
            raise PayloadError(400, "the form has no fields")
        return data
    if not stripped:
        raise PayloadError(400, "the payload is empty: send a JSON object")
    try:
        return json.loads(stripped, parse_constant=_refuse_constant)
    except json.JSONDecodeError as exc:
        raise PayloadError(400, f"malformed JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}")
    except (ValueError, RecursionError) as exc:
        raise PayloadError(400, f"malformed JSON: {exc}")


def _json_kind(value) -> str:
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    if isinstance(value, (int, float)):
        return "a number"
    return {str: "a string", list: "an array", dict: "an object"}.get(type(value), type(value).__name__)


def parse_body(body: bytes, content_type: str) -> dict:
    """One event's payload as a dict: a JSON object or a urlencoded form."""
    data = _decode(body, content_type)
    if not isinstance(data, dict):
        raise PayloadError(400, f"the JSON payload must be an object ({{...}}), not {_json_kind(data)}")
    return data


@dataclass
class Delivery:
    """What one POST carried: each event's data with the body stored for it."""

    items: list[tuple[dict, bytes]]
    batch: bool  # the source sent a JSON array of events (answered with one result per event)


def parse_delivery(body: bytes, content_type: str) -> Delivery:
    """A delivery is one event (JSON object or form) or a JSON array of event objects.

    Each item of an array is stored as its own event, with its own compact JSON as the body (so its event
    id, or the digest standing in for one, belongs to that item alone). A bad item refuses the whole
    delivery: nothing is stored.
    """
    data = _decode(body, content_type)
    if isinstance(data, dict):
        return Delivery([(data, body)], batch=False)
    if not isinstance(data, list):
        raise PayloadError(
            400,
            f"the JSON payload must be an object ({{...}}) or an array of objects, not {_json_kind(data)}",
        )
    if not data:
        raise PayloadError(400, "the JSON array is empty: send at least one event object")
    if len(data) > MAX_EVENTS_PER_DELIVERY:
        raise PayloadError(
            400,
            f"the JSON array holds {len(data)} events; at most {MAX_EVENTS_PER_DELIVERY} are accepted at once",
        )
    for number, item in enumerate(data, start=1):
        if not isinstance(item, dict):
            raise PayloadError(
                400,
                f"item {number} of the JSON array is {_json_kind(item)}; every item must be an object ({{...}})",
            )
    return Delivery(
        [
            (item, json.dumps(item, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
            for item in data
        ],
        batch=True,
    )


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not valid JSON")


def _text(value) -> str | None:
    if value is MISSING or value is None:
        return None
    if isinstance(value, (dict, list)):
        return None
    return str(value).strip() or None


def source_event_id(endpoint: InboundEndpoint, data: dict, body: bytes) -> str:
    paths = [p.strip() for p in (endpoint.mapping.get("event_id") or "").split(",") if p.strip()]
    parts = [t for t in (_text(lookup(data, p)) for p in paths) if t]
    if not parts:
        return "sha256:" + hashlib.sha256(body).hexdigest()
    joined = ":".join(parts)
    clean = all(unicodedata.category(c) not in ("Cc", "Cs") for c in joined)
    return (
        joined
        if clean and len(joined) <= 200
        else "id-sha256:" + hashlib.sha256(joined.encode("utf-8", "surrogatepass")).hexdigest()
    )


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
        value = _text(raw)
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
    event_id = source_event_id(endpoint, presets.view(endpoint.preset, data), body)
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
        log.info("inbound %s: repeat of event %s (%s)", endpoint.public_id, event_id, existing.outcome)
        return existing, False
    return process(event, data), True


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


def replay(event: InboundEvent) -> InboundEvent:
    """Process a stored event again with the endpoint's current mapping (after fixing it)."""
    with transaction.atomic():
        locked = InboundEvent.objects.select_for_update().get(pk=event.pk)
        if locked.outcome == InboundEvent.Outcome.ISSUED:
            raise ReplayError("this event already issued its credential; replaying it would change nothing")
        locked.attempts += 1
        locked.save(update_fields=["attempts"])
    return process(
        InboundEvent.objects.select_related("endpoint__organization", "endpoint__achievement").get(
            pk=event.pk
        )
    )


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
        (evaluate(endpoint, data), source_event_id(endpoint, presets.view(endpoint.preset, data), item_body))
        for data, item_body in delivery.items
    ], ""
