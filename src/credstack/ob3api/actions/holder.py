"""What a client writes for the holder with a token the holder granted it: upsertCredential (a credential
kept in the holder's portal) and putProfile (the holder's profile)."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.utils.dateparse import parse_date, parse_datetime

from credstack.credentials.models import Credential
from credstack.organizations import audit
from credstack.organizations.actors import Actor
from credstack.portal.models import Account
from credstack.portal.queries import credentials_for

from ..models import (
    AccessToken,
    HeldCredential,
    HolderProfile,
    digest,
)


class InvalidData(ValueError):
    """The body of an upsertCredential or putProfile request is not acceptable; the message says why."""


def api_actor(access: AccessToken) -> Actor:
    """The client, acting for the holder with a token the holder granted it."""
    return Actor.for_api_client(
        access.client.client_name,
        access.client.client_id,
        f"learner portal account {access.account.public_id}",
    )


VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
VC1_CONTEXT = "https://www.w3.org/2018/credentials/v1"
MAX_CREDENTIAL_BYTES = 512 * 1024


def parse_moment(value) -> datetime | None:
    """An ISO 8601 date-time in UTC (a naive one is read as UTC; PostgreSQL refuses offsets beyond
    ±15:59, so the offset is applied here), or None."""
    if not isinstance(value, str):
        return None
    try:
        moment = parse_datetime(value)
        if moment is None:
            return None
        return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
    except (ValueError, OverflowError):  # OverflowError: 9999-12-31T23:00-21:15 is past year 9999 in UTC
        return None


def jws_payload(compact: str) -> dict:
    """The credential inside a VC-JWT (a ``vc`` claim, VC-JWT 1.1) or a VC-JOSE-COSE compact JWS (the
    payload is the credential). Read, not verified: see check_credential."""
    parts = compact.split(".")
    if len(parts) != 3 or not all(parts[0:1]) or not parts[2]:
        raise InvalidData("text/plain must be a compact JWS: header.payload.signature")
    try:
        payload = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except (ValueError, RecursionError):
        raise InvalidData("the JWS payload is not base64url-encoded JSON") from None
    if isinstance(payload, dict) and isinstance(payload.get("vc"), dict):
        return payload["vc"]
    return payload


def check_credential(document) -> datetime:
    """The shape an OB 3.0 AchievementCredential must have to be stored; its issuance moment.

    The host stores what the holder's client gives it; verifying the proof is a verifier's work (the
    credential page and ``credstack verify`` do it when it is shown)."""
    if not isinstance(document, dict):
        raise InvalidData("the credential must be a JSON object")
    if len(json.dumps(document)) > MAX_CREDENTIAL_BYTES:
        raise InvalidData(f"the credential is larger than {MAX_CREDENTIAL_BYTES // 1024} KiB")
    context = document.get("@context")
    if not isinstance(context, list) or not context or context[0] not in (VC_CONTEXT, VC1_CONTEXT):
        raise InvalidData(f"@context must be a list that begins with {VC_CONTEXT}")
    types = document.get("type")
    if not isinstance(types, list) or not {"AchievementCredential", "OpenBadgeCredential"} & set(types):
        raise InvalidData("type must be a list naming AchievementCredential (or OpenBadgeCredential)")
    if "VerifiableCredential" not in types:
        raise InvalidData("type must include VerifiableCredential")
    ident = document.get("id")
    if not isinstance(ident, str) or not ident.strip() or len(ident) > 2000 or ":" not in ident:
        raise InvalidData("id must be a URI (upsertCredential inserts or replaces by id)")
    issuer = document.get("issuer")
    issuer_id = issuer.get("id") if isinstance(issuer, dict) else issuer
    if not isinstance(issuer_id, str) or ":" not in issuer_id:
        raise InvalidData("issuer must be a URI or a Profile with an id")
    if not isinstance(document.get("credentialSubject"), dict):
        raise InvalidData("credentialSubject must be an object")
    issued = parse_moment(document.get("validFrom") or document.get("issuanceDate"))
    if issued is None:
        raise InvalidData("validFrom (or issuanceDate) must be an ISO 8601 date-time")
    return issued


def upsert_credential(access: AccessToken, document, compact_jws: str = "") -> tuple[dict | str, bool]:
    """upsertCredential: store the credential in the holder's account, or replace the one with its id.

    Returns what the holder now has (the document, or the compact JWS it came as) and whether it was
    created (201) rather than replaced (200). A credential this host issued to the holder is theirs
    already: nothing is written and the host's own copy is returned. Raises InvalidData."""
    issued = check_credential(document)
    account, ident = access.account, document["id"]
    own = _own_credential(ident)
    if own is not None:
        if own.pk not in set(credentials_for(account).values_list("pk", flat=True)):
            raise InvalidData("this host issued that credential to someone else")
        return own.signed(), False
    actor = api_actor(access)
    with transaction.atomic():
        held = (
            HeldCredential.objects.select_for_update().filter(account=account, id_hash=digest(ident)).first()
        )
        created = held is None
        if held is None:
            held = HeldCredential(account=account, credential_id=ident, id_hash=digest(ident))
        held.document, held.compact_jws, held.issued_at, held.client = (
            document,
            compact_jws,
            issued,
            access.client,
        )
        held.save()
        audit.record(
            None, actor, "ob3.credential_added" if created else "ob3.credential_replaced", ident[:300]
        )
    return (compact_jws or document), created


def _own_credential(ident: str) -> Credential | None:
    base = settings.CREDSTACK_BASE_URL.rstrip("/") + "/c/"
    if not ident.startswith(base):
        return None
    return Credential.objects.filter(public_id=ident[len(base) :]).first()


# Profile properties a holder's client may set. Not email (addresses are added in the portal with a
# code), not id or type (the host's), not endorsements (credentials of their own).
PROFILE_STRINGS = (
    "name",
    "givenName",
    "familyName",
    "additionalName",
    "familyNamePrefix",
    "patronymicName",
    "honorificPrefix",
    "honorificSuffix",
    "url",
    "phone",
    "description",
)
PROFILE_OBJECTS = ("image", "address")


def profile_id(account: Account) -> str:
    return f"{settings.CREDSTACK_BASE_URL}/me/{account.public_id}"


def update_profile(access: AccessToken, profile) -> dict:
    """putProfile: replace the properties the holder may set with those of ``profile``.

    ``profile`` is an OB 3.0 Profile: its ``id`` must be the holder's (as getProfile gives it) and its
    ``email``, if any, one of the holder's verified addresses. Returns what was stored. Raises
    InvalidData and changes nothing when any property is wrong."""
    if not isinstance(profile, dict):
        raise InvalidData("the profile must be a JSON object")
    account = access.account
    if profile.get("id") != profile_id(account):
        raise InvalidData(f"id must be the holder's profile id, {profile_id(account)} (see getProfile)")
    types = profile.get("type")
    if not isinstance(types, list) or "Profile" not in types:
        raise InvalidData('type must be a list that includes "Profile"')
    email = profile.get("email")
    if email is not None and (
        not isinstance(email, str) or not account.emails.filter(normalized=email.strip().lower()).exists()
    ):
        raise InvalidData("email must be one of the holder's verified addresses (add others in the portal)")
    data: dict = {}
    for key in PROFILE_STRINGS:
        value = profile.get(key)
        if value is None:
            continue
        if not isinstance(value, str) or len(value) > 500:
            raise InvalidData(f"{key} must be a string of at most 500 characters")
        if value.strip():
            data[key] = value.strip()
    if "url" in data and urlsplit(data["url"]).scheme not in ("https", "http"):
        raise InvalidData("url must be an http(s) URL")
    if "dateOfBirth" in profile:
        value = profile["dateOfBirth"]
        if not isinstance(value, str) or parse_date_or_none(value) is None:
            raise InvalidData("dateOfBirth must be a date (YYYY-MM-DD)")
        data["dateOfBirth"] = value
    for key in PROFILE_OBJECTS:
        value = profile.get(key)
        if value is None:
            continue
        if not isinstance(value, dict) or len(json.dumps(value)) > 4000:
            raise InvalidData(f"{key} must be an object (at most 4000 characters of JSON)")
        data[key] = value
    if "image" in data and not isinstance(data["image"].get("id"), str):
        raise InvalidData("image must be an Image with an id (its URL)")
    with transaction.atomic():
        stored, _ = HolderProfile.objects.select_for_update().get_or_create(account=account)
        changed = sorted(set(stored.data) ^ set(data) | {k for k in data if stored.data.get(k) != data[k]})
        stored.data = data
        stored.save()
        audit.record(None, api_actor(access), "ob3.profile_updated", profile_id(account), ", ".join(changed))
    return data


def parse_date_or_none(value: str):
    try:
        return parse_date(value)
    except ValueError:
        return None
