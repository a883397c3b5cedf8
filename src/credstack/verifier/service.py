"""Verify what someone pasted or uploaded, with the same checks as ``credstack.vc.verify``.

Documents the checks need come from this deployment when they are ours (no HTTP), else over HTTP with
``credstack.fetch``'s limits through the one outbound client (``credstack.httpclient``) — only to public
addresses (never loopback or private networks, also not after a redirect or a second DNS answer), at most
``MAX_FETCHES`` documents and ``DEADLINE`` seconds per verification. JSON-LD contexts are never fetched:
only bundled ones are accepted.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

from django.conf import settings

from credstack.credentials import engagement
from credstack.credentials.models import Credential, CredentialEvent
from credstack.credentials.queries import own_public_id
from credstack.credentials.resolver import NotLocal, local_fetch
from credstack.fetch import FetchError, http_fetch
from credstack.vc import verify as vc_verify

from .extract import Extracted, ExtractError, extract

MAX_FETCHES = 8
DEADLINE = 20.0


class Fetcher:
    def __init__(self, resolver=None) -> None:
        self.resolver = resolver  # tests pass a resolver that lies; None: the system's
        self.count = 0
        self.started = time.monotonic()

    def __call__(self, url: str) -> dict:
        try:
            return local_fetch(url)
        except NotLocal:
            pass
        if not getattr(settings, "CREDSTACK_VERIFIER_REMOTE_FETCH", True):
            raise FetchError(f"{url}: fetching other issuers' documents is switched off here")
        self.count += 1
        if self.count > MAX_FETCHES:
            raise FetchError(f"{url}: more than {MAX_FETCHES} documents needed")
        if time.monotonic() - self.started > DEADLINE:
            raise FetchError(f"{url}: verification took longer than {DEADLINE:.0f} s")
        # resolved once, checked, connected to the checked address; each redirect checked again
        return http_fetch(url, public_only=True, resolver=self.resolver)


def summary(doc: dict) -> dict:
    """What the credential says (for people): issuer, achievement, recipient, dates, id."""
    subject = doc.get("credentialSubject")
    subject = subject if isinstance(subject, dict) else {}
    achievement = subject.get("achievement")
    achievement = achievement if isinstance(achievement, dict) else {}
    issuer = doc.get("issuer")
    issuer_name = issuer.get("name", "") if isinstance(issuer, dict) else ""
    issuer_id = issuer.get("id", "") if isinstance(issuer, dict) else str(issuer or "")
    return {
        "id": str(doc.get("id", ""))[:500],
        "type": doc.get("type"),
        "issuer": {"id": str(issuer_id)[:500], "name": str(issuer_name)[:500]},
        "achievement": str(achievement.get("name", doc.get("name", "")))[:500],
        "recipient": str(subject.get("name", ""))[:500],
        "valid_from": doc.get("validFrom") or doc.get("issuanceDate"),
        "valid_until": doc.get("validUntil") or doc.get("expirationDate"),
    }


def verify_upload(data: bytes | str) -> dict:
    """The result shown on the page and returned by the API. Never raises for bad input."""
    try:
        found = extract(data)
    except ExtractError as exc:
        return {
            "status": "unreadable",
            "valid": False,
            "error": str(exc),
            "error_reason": exc.reason(),
            "checks": [],
        }
    return verify_extracted(found)


def verify_extracted(found: Extracted) -> dict:
    base = {"source": found.kind, "source_label": found.source, "details": found.details}
    if found.credential is None and not found.jwt:
        return {
            **base,
            "status": "unverified",
            "valid": False,
            "explanation": found.explanation,
            "checks": [
                {
                    "name": "format",
                    "ok": None,
                    "outcome": "unverified",
                    "message": found.explanation,
                    "code": found.explanation_code,
                    "params": found.explanation_params,
                }
            ],
        }
    report = vc_verify.verify_credential(found.jwt or found.credential or {}, fetch=Fetcher())
    state = _record(found.credential or {}, report)
    status = report.status
    if status == "suspended" and state == Credential.State.REVOKED:
        status = "revoked"  # our own credential: one suspension entry, revoked in our record (0032)
    return {
        **base,
        **report.to_dict(),
        "status": status,
        "valid": report.valid,
        "credential": summary(found.credential) if found.credential else None,
    }


def _record(doc: dict, report) -> str | None:
    """A VERIFIED event on our own credentials, when someone checks one here; their state, or None."""
    public_id = own_public_id(str(doc.get("id", "")))
    if not public_id:
        return None
    found = Credential.objects.filter(public_id=public_id).values_list("pk", "state").first()
    if found:
        engagement.record(found[0], CredentialEvent.Kind.VERIFIED, report.status)
        return found[1]
    return None


def now() -> datetime:
    return datetime.now(UTC)
