"""The Open Badges 2.0 hosted Assertion of a credential, as served at ``{credential}/ob2`` and baked into
its PNG and SVG badge (OB 2.0 baking: the ``openbadges`` iTXt chunk and ``<openbadges:assertion>`` carry
the assertion JSON). Generated from the same row as the OB 3.0 credential; the routes live in
``credstack.ob2``."""

from __future__ import annotations

import json

from credstack.vc import ob2

from .models import Credential


class NoHashedEmail(ValueError):
    """The credential names its holder by no hashed e-mail, which an OB 2.0 assertion needs."""


def assertion_url(credential: Credential) -> str:
    return f"{credential.uri}/ob2"


def badge_class_url(achievement) -> str:
    return f"{achievement.uri}/ob2"


def assertion(credential: Credential) -> dict:
    """The hosted assertion as issued (``verification: HostedBadge``; its URL answers the live state)."""
    subject = credential.signed().get("credentialSubject", {})
    identity = next(
        (i for i in subject.get("identifier", []) if i.get("identityType") == "emailAddress"), None
    )
    if identity is None:
        raise NoHashedEmail("credential has no hashed email identifier")
    return ob2.assertion(
        id=assertion_url(credential),
        badge_id=badge_class_url(credential.achievement),
        identity_hash=identity["identityHash"],
        salt=identity.get("salt", ""),
        issued_on=credential.issued_at,
        expires=credential.valid_until,
        image=f"{credential.uri}.png",
    )


def assertion_json(credential: Credential) -> str:
    """The assertion as baked: compact JSON, the same bytes for the same credential."""
    return json.dumps(assertion(credential), ensure_ascii=False, separators=(",", ":"))
