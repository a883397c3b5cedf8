"""Compose a CLR 2.0 ``ClrCredential``: a learner's whole portfolio in one credential (unsigned).

The OB 3.0 credentials go in ``credentialSubject.verifiableCredential`` exactly as signed (each keeps
its own proof and still verifies on its own); their achievements are listed in ``achievement``;
``association`` carries relations between achievements (e.g. ``isPartOf`` for a stack).
The CLR 2.0 context is bundled (``contexts``); nothing is fetched.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from credstack.vc import contexts, dates, ob3

CLR_CONTEXT = "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json"
CONTEXT = [contexts.VC_V2, CLR_CONTEXT, contexts.OB_V3]
ASSOCIATION_TYPES = frozenset(
    {
        "exactMatchOf",
        "isChildOf",
        "isParentOf",
        "isPartOf",
        "isPeerOf",
        "isRelatedTo",
        "precedes",
        "replacedBy",
    }
)


def compose(
    *,
    issuer: Mapping[str, Any],
    credential_id: str,
    name: str,
    credentials: Iterable[Mapping[str, Any]],
    valid_from: datetime,
    recipient_emails: Iterable[str] = (),
    recipient_name: str | None = None,
    associations: Iterable[Mapping[str, str]] = (),
    description: str | None = None,
) -> dict[str, Any]:
    """The unsigned ClrCredential. ``credentials``: signed OB 3.0 credentials (dicts)."""
    creds = [dict(c) for c in credentials]
    achievements: dict[str, Any] = {}
    for c in creds:
        a = (c.get("credentialSubject") or {}).get("achievement")
        if isinstance(a, dict) and a.get("id") and a["id"] not in achievements:
            achievements[a["id"]] = a
    assoc = []
    for a in associations:
        if a["associationType"] not in ASSOCIATION_TYPES:
            raise ValueError(f"unknown associationType {a['associationType']!r}")
        assoc.append(
            {
                "type": "Association",
                "associationType": a["associationType"],
                "sourceId": a["sourceId"],
                "targetId": a["targetId"],
            }
        )
    subject: dict[str, Any] = {
        "type": ["ClrSubject"],
        "identifier": [ob3.identity_object(e) for e in recipient_emails],
        "verifiableCredential": creds,
        "achievement": list(achievements.values()),
        "association": assoc,
    }
    if recipient_name:
        subject["name"] = recipient_name
    profile = {"id": issuer["id"], "type": ["Profile"], "name": issuer["name"]}
    if issuer.get("url"):
        profile["url"] = issuer["url"]
    doc: dict[str, Any] = {
        "@context": list(CONTEXT),
        "id": credential_id,
        "type": ["VerifiableCredential", "ClrCredential"],
        "issuer": profile,
        "name": name,
        "description": description,
        "validFrom": dates.format_datetime(valid_from),
        "credentialSubject": {k: v for k, v in subject.items() if v not in (None, [], "")},
    }
    return {k: v for k, v in doc.items() if v not in (None, "")}
