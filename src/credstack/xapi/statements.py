"""xAPI 1.0.3 statements for what happens in credstack: completed (a course), passed / failed (a quiz),
earned (a credential). Pure functions over plain values."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from credstack.vc.dates import format_datetime

# The xAPI version credstack speaks: sent in the X-Experience-API-Version header, never in a statement
# (xAPI 1.0.3 Part Two §2.4.10: a Learning Record Provider SHOULD NOT set "version"; the LRS does).
VERSION = "1.0.3"
VERBS = {
    "completed": "http://adlnet.gov/expapi/verbs/completed",
    "passed": "http://adlnet.gov/expapi/verbs/passed",
    "failed": "http://adlnet.gov/expapi/verbs/failed",
    "earned": "http://id.tincanapi.com/verb/earned",
}
ACTIVITY_TYPES = {
    "course": "http://adlnet.gov/expapi/activities/course",
    "assessment": "http://adlnet.gov/expapi/activities/assessment",
    "badge": "http://id.tincanapi.com/activitytype/badge",
}
NAMESPACE = uuid.UUID("0b0f3f5e-8f6c-4a56-9a3e-5c7d6f1e2a11")


def registration(key: str) -> str:
    """A stable UUID for an enrolment (xAPI's registration)."""
    return str(uuid.uuid5(NAMESPACE, key))


def duration(seconds: int) -> str:
    seconds = max(0, int(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"PT{hours}H{minutes}M{secs}S"


def _lang(language: str) -> str:
    return language if language and len(language) <= 35 else "en"


def actor(email: str, name: str = "") -> dict:
    agent = {"objectType": "Agent", "mbox": f"mailto:{email}"}
    if name:
        agent["name"] = name
    return agent


def activity(activity_id: str, name: str, kind: str, language: str = "en", description: str = "") -> dict:
    definition = {"name": {_lang(language): name}, "type": ACTIVITY_TYPES[kind]}
    if description:
        definition["description"] = {_lang(language): description}
    return {"objectType": "Activity", "id": activity_id, "definition": definition}


def statement(
    *,
    verb: str,
    agent: dict,
    obj: dict,
    timestamp: datetime,
    result: dict | None = None,
    parent: dict | None = None,
    registration_id: str | None = None,
    language: str = "en",
    statement_id: str | None = None,
) -> dict:
    context: dict[str, Any] = {"platform": "credstack", "language": _lang(language)}
    out: dict[str, Any] = {
        "id": statement_id or str(uuid.uuid4()),
        "actor": agent,
        "verb": {"id": VERBS[verb], "display": {"en-US": verb}},
        "object": obj,
        "timestamp": format_datetime(timestamp),
        "context": context,
    }
    if registration_id:
        context["registration"] = registration_id
    if parent:
        context["contextActivities"] = {"parent": [parent]}
    if result:
        out["result"] = result
    return out


def as_sent(payload: dict) -> dict:
    """The statement as it goes to the LRS: without ``version`` (statements stored before credstack left
    it out carry ``"1.0.3"``, which a 1.0.3 LRS may refuse)."""
    return {k: v for k, v in payload.items() if k != "version"}


def score(percent: int | float | None) -> dict | None:
    if percent is None:
        return None
    percent = max(0, min(100, percent))
    return {"scaled": round(percent / 100, 4), "raw": percent, "min": 0, "max": 100}
