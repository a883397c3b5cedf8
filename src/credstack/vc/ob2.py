"""Open Badges 2.0 hosted documents for older consumers: Assertion, BadgeClass, Issuer (Profile).

Pure: the shell passes URLs and fields in. The recipient is the same salted e-mail hash as in the
OB 3.0 credential (same ``sha256$`` format), so both documents name one recipient one way.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from credstack.vc import dates

CONTEXT = "https://w3id.org/openbadges/v2"


def _drop_empty(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if v not in (None, "", [], {})}


def issuer(*, id: str, name: str, url: str, email: str = "", image: str = "") -> dict[str, Any]:
    return _drop_empty(
        {
            "@context": CONTEXT,
            "type": "Issuer",
            "id": id,
            "name": name,
            "url": url,
            "email": email,
            "image": image,
        }
    )


def badge_class(
    *,
    id: str,
    name: str,
    description: str,
    image: str,
    criteria_narrative: str = "",
    criteria_url: str = "",
    issuer_id: str,
    tags: list[str] | None = None,
    alignments: list[Mapping[str, Any]] | None = None,
) -> dict[str, Any]:
    criteria = _drop_empty({"id": criteria_url, "narrative": criteria_narrative})
    alignment = [
        _drop_empty(
            {
                "targetName": a.get("name") or a.get("targetName"),
                "targetUrl": a.get("url") or a.get("targetUrl"),
                "targetFramework": a.get("framework") or a.get("targetFramework"),
            }
        )
        for a in alignments or []
    ]
    return _drop_empty(
        {
            "@context": CONTEXT,
            "type": "BadgeClass",
            "id": id,
            "name": name,
            "description": description or name,
            "image": image,
            "criteria": criteria or {"narrative": name},
            "issuer": issuer_id,
            "tags": list(tags or []),
            "alignment": [a for a in alignment if a.get("targetName") and a.get("targetUrl")],
        }
    )


def assertion(
    *,
    id: str,
    badge_id: str,
    identity_hash: str,
    salt: str,
    issued_on: datetime,
    expires: datetime | None = None,
    image: str = "",
    evidence_url: str = "",
) -> dict[str, Any]:
    return _drop_empty(
        {
            "@context": CONTEXT,
            "type": "Assertion",
            "id": id,
            "recipient": {"type": "email", "hashed": True, "salt": salt, "identity": identity_hash},
            "badge": badge_id,
            "issuedOn": dates.format_datetime(issued_on),
            "expires": dates.format_datetime(expires) if expires else None,
            "image": image,
            "evidence": evidence_url,
            "verification": {"type": "HostedBadge"},
        }
    )


def revoked_assertion(*, id: str, reason: str = "") -> dict[str, Any]:
    """What a hosted assertion's URL answers once revoked (with HTTP 410)."""
    return _drop_empty(
        {"@context": CONTEXT, "type": "Assertion", "id": id, "revoked": True, "revocationReason": reason}
    )
