"""Reading what a source sends, pure (no ORM): decoding a delivery (a JSON object, a JSON array of
objects, or a urlencoded form), the source's event id, and cleaning an endpoint's mapping and conditions.

The writes that use these (storing endpoints and events) are in ``actions.py``; what a payload means for
an endpoint (which reads the organization's achievements) is in ``queries.py``.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from credstack.awarding.paths import MISSING, as_number, lookup

from . import presets

MAX_BODY_BYTES = 256 * 1024  # a delivery larger than this is refused with 413 before it is parsed or stored
MAX_CONDITIONS = 20
MAX_PATH = 300
MAX_EVENTS_PER_DELIVERY = 100  # items of one JSON-array delivery
# The awarding engine's DataRule operators (``DataRule.Operator``; a test keeps the two equal).
OPERATORS = frozenset({"eq", "ne", "gte", "gt", "lte", "lt", "in", "exists"})


class PayloadError(Exception):
    """A delivery that cannot be read: answered with ``status`` and this message; nothing is stored."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status, self.message = status, message


# ---------------------------------------------------------------- an endpoint's settings


def _clean_path(value, field_name: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValidationError({field_name: _("must be text (a dotted path such as result.email)")})
    value = value.strip()
    if len(value) > MAX_PATH:
        raise ValidationError(
            {
                field_name: _("is %(length)d characters long; at most %(limit)d are allowed")
                % {"length": len(value), "limit": MAX_PATH}
            }
        )
    for char in value:
        if unicodedata.category(char) in ("Cc", "Cs", "Cn"):
            raise ValidationError(
                {field_name: _("contains the control character %(char)s") % {"char": f"U+{ord(char):04X}"}}
            )
    return value


def clean_mapping(mapping: dict | None, *, fixed_achievement: bool) -> dict:
    mapping = mapping or {}
    if not isinstance(mapping, dict):
        raise ValidationError({"mapping": _("must be an object of field → path")})
    known = {key for key, _, _ in presets.MAPPING_FIELDS}
    unknown = sorted(set(mapping) - known)
    if unknown:
        raise ValidationError(
            {
                f"mapping.{unknown[0]}": _("is not a mapping field; use one of %(fields)s")
                % {"fields": ", ".join(sorted(known))}
            }
        )
    out = {key: _clean_path(mapping.get(key), f"mapping.{key}") for key in known}
    out = {k: v for k, v in out.items() if v}
    if not out.get("email"):
        raise ValidationError(
            {"mapping.email": _("is required: where is the recipient's email in the payload?")}
        )
    if not out.get("name") and not out.get("first_name"):
        raise ValidationError({"mapping.name": _("is required (or a first name path)")})
    if not fixed_achievement and not out.get("achievement"):
        raise ValidationError(
            {
                "achievement": _(
                    "choose the achievement to issue, or map a payload path to it (mapping.achievement)"
                )
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
        raise ValidationError({"conditions": _("must be a list of {path, operator, value}")})
    if len(conditions) > MAX_CONDITIONS:
        raise ValidationError({"conditions": _("at most %(n)d conditions") % {"n": MAX_CONDITIONS}})
    out = []
    for n, cond in enumerate(conditions):
        if not isinstance(cond, dict):
            raise ValidationError({f"conditions.{n}": _("must be an object with path, operator and value")})
        path = _clean_path(cond.get("path"), f"conditions.{n}.path")
        if not path:
            raise ValidationError({f"conditions.{n}.path": _("is required")})
        operator = cond.get("operator") or "eq"
        if operator not in OPERATORS:
            raise ValidationError(
                {
                    f"conditions.{n}.operator": _("must be one of %(operators)s")
                    % {"operators": ", ".join(sorted(OPERATORS))}
                }
            )
        value = cond.get("value")
        if operator in ("gte", "gt", "lte", "lt") and as_number(value) is None:
            raise ValidationError(
                {
                    f"conditions.{n}.value": _("must be a number for %(operator)s, not %(value)s")
                    % {"operator": repr(operator), "value": repr(value)}
                }
            )
        if operator == "in" and isinstance(value, str):
            value = [v.strip() for v in value.split(",") if v.strip()]
        try:
            encoded = json.dumps(value)
        except (TypeError, ValueError):
            raise ValidationError({f"conditions.{n}.value": _("must be a JSON value")})
        if "\\u0000" in encoded or len(encoded) > 2000:
            raise ValidationError(
                {f"conditions.{n}.value": _("must be at most 2000 characters of JSON, without NUL")}
            )
        out.append({"path": path, "operator": operator, "value": value})
    return out


def clean_text(value, field_name: str, limit: int) -> str:
    value = (value or "").strip() if isinstance(value, str) else ""
    if len(value) > limit:
        raise ValidationError({field_name: _("at most %(n)d characters") % {"n": limit}})
    for char in value:
        if unicodedata.category(char) in ("Cc", "Cs", "Cn"):
            raise ValidationError(
                {field_name: _("contains the control character %(char)s") % {"char": f"U+{ord(char):04X}"}}
            )
    return value


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
    except RecursionError:
        raise PayloadError(400, "malformed JSON: nested too deeply")
    except ValueError as exc:
        raise PayloadError(400, f"malformed JSON: {exc}")


def _json_kind(value) -> str:
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    if isinstance(value, (int, float)):
        return "a number"
    names: dict[type, str] = {str: "a string", list: "an array", dict: "an object"}
    return names.get(type(value), type(value).__name__)


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


def as_text(value) -> str | None:
    if value is MISSING or value is None:
        return None
    if isinstance(value, (dict, list)):
        return None
    return str(value).strip() or None


def source_event_id(mapping: dict, data: dict, body: bytes) -> str:
    """The source's id of an event, read through the endpoint's ``mapping`` (``data`` already through the
    preset's view), or the SHA-256 of its body when the mapping names none or finds nothing."""
    paths = [p.strip() for p in ((mapping or {}).get("event_id") or "").split(",") if p.strip()]
    parts = [t for t in (as_text(lookup(data, p)) for p in paths) if t]
    if not parts:
        return "sha256:" + hashlib.sha256(body).hexdigest()
    joined = ":".join(parts)
    clean = all(unicodedata.category(c) not in ("Cc", "Cs") for c in joined)
    return (
        joined
        if clean and len(joined) <= 200
        else "id-sha256:" + hashlib.sha256(joined.encode("utf-8", "surrogatepass")).hexdigest()
    )
