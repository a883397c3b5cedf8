"""Reading an event's data by dotted path, pure (no Django): shared by the awarding rules and by the
integrations' payload parsing."""

from __future__ import annotations

from typing import Any

MISSING = object()  # what ``lookup`` returns for an absent path


def lookup(data: Any, path: str) -> Any:
    value = data
    for part in path.split("."):
        if isinstance(value, dict) and part in value:
            value = value[part]
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return MISSING
    return value


def as_number(value):
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return value
    try:
        return float(str(value).strip())
    except (TypeError, ValueError):
        return None
