"""OAuth 2.0 authorization code flow with PKCE (S256) and dynamic client registration, for the
Open Badges 3.0 API. Only what OB 3.0 needs, by the RFCs: 6749, 7636, 7591, 7009."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from credstack.portal.models import Account

from ..models import (
    SUPPORTED_SCOPES,
    AccessToken,
    AuthorizationCode,
    OAuthClient,
    digest,
)

CODE_TTL = timedelta(minutes=10)
ACCESS_TTL = timedelta(hours=1)
REFRESH_TTL = timedelta(days=90)
MAX_REDIRECT_URIS = 10


class OAuthError(Exception):
    """An RFC 6749 error: ``code`` is the ``error`` value, the message its description."""

    def __init__(self, code: str, description: str, status: int = 400):
        super().__init__(description)
        self.code, self.description, self.status = code, description, status


def _https_or_loopback(uri: str) -> bool:
    parts = urlsplit(uri)
    if parts.fragment or not parts.hostname:
        return False
    return parts.scheme == "https" or (
        parts.scheme == "http" and parts.hostname in ("localhost", "127.0.0.1", "[::1]")
    )


@dataclass(frozen=True)
class Registration:
    client: OAuthClient
    client_secret: str


def register_client(metadata: dict) -> Registration:
    """RFC 7591 dynamic registration. Raises OAuthError('invalid_client_metadata' / 'invalid_redirect_uri')."""
    if not isinstance(metadata, dict):
        raise OAuthError("invalid_client_metadata", "the registration request must be a JSON object")
    name = metadata.get("client_name")
    if not isinstance(name, str) or not name.strip() or len(name) > 200:
        raise OAuthError("invalid_client_metadata", "client_name is required (at most 200 characters)")
    uris = metadata.get("redirect_uris")
    if not isinstance(uris, list) or not uris or len(uris) > MAX_REDIRECT_URIS:
        raise OAuthError("invalid_redirect_uri", f"redirect_uris: 1 to {MAX_REDIRECT_URIS} URIs are required")
    for uri in uris:
        if not isinstance(uri, str) or len(uri) > 2000 or not _https_or_loopback(uri):
            raise OAuthError(
                "invalid_redirect_uri",
                f"redirect URI {uri!r} must be https (or http on loopback), with no fragment",
            )
    requested = str(metadata.get("scope") or " ".join(SUPPORTED_SCOPES)).split()
    unknown = [s for s in requested if s not in SUPPORTED_SCOPES]
    if unknown:
        raise OAuthError("invalid_client_metadata", f"unsupported scope: {' '.join(unknown)}")
    for key in ("grant_types", "response_types"):
        allowed = {"grant_types": {"authorization_code", "refresh_token"}, "response_types": {"code"}}[key]
        if key in metadata and not set(metadata[key] or []) <= allowed:
            raise OAuthError("invalid_client_metadata", f"{key}: only {', '.join(sorted(allowed))}")
    contacts = metadata.get("contacts", [])
    if (
        not isinstance(contacts, list)
        or len(contacts) > 20
        or not all(isinstance(c, str) and 0 < len(c) <= 254 for c in contacts)
    ):
        raise OAuthError("invalid_client_metadata", "contacts: a list of at most 20 addresses")
    method = metadata.get("token_endpoint_auth_method", "client_secret_basic")
    if method not in ("client_secret_basic", "client_secret_post"):
        raise OAuthError(
            "invalid_client_metadata", "token_endpoint_auth_method: client_secret_basic or client_secret_post"
        )
    secret = secrets.token_urlsafe(32)
    optional = {
        k: str(metadata.get(k) or "")[:500] for k in ("client_uri", "logo_uri", "tos_uri", "policy_uri")
    }
    client = OAuthClient.objects.create(
        client_id=secrets.token_urlsafe(24),
        client_secret_hash=digest(secret),
        client_name=name.strip(),
        redirect_uris=uris,
        scopes=requested,
        software_id=str(metadata.get("software_id") or "")[:200],
        software_version=str(metadata.get("software_version") or "")[:100],
        contacts=contacts,
        token_endpoint_auth_method=method,
        **{k: v for k, v in optional.items() if not v or _https_or_loopback(v)},
    )
    return Registration(client, secret)


def authenticate_client(client_id: str, client_secret: str) -> OAuthClient:
    client = OAuthClient.objects.filter(client_id=client_id or "").first()
    if client is None or not hmac.compare_digest(client.client_secret_hash, digest(client_secret or "")):
        raise OAuthError("invalid_client", "client authentication failed", status=401)
    return client


def check_authorization_request(params) -> tuple[OAuthClient, str, list[str]]:
    """Validate an authorization request before showing the consent page.

    Errors about the client or redirect URI must not redirect (the URI is not trusted): they raise
    OAuthError with status 400 and are shown to the person instead.
    """
    client = OAuthClient.objects.filter(client_id=params.get("client_id") or "").first()
    if client is None:
        raise OAuthError("invalid_client", "unknown client_id")
    redirect_uri = params.get("redirect_uri") or (
        client.redirect_uris[0] if len(client.redirect_uris) == 1 else ""
    )
    if redirect_uri not in client.redirect_uris:
        raise OAuthError("invalid_request", "redirect_uri does not match a registered one")
    return client, redirect_uri, _scopes(params.get("scope"), client)


def _scopes(scope: str | None, client: OAuthClient) -> list[str]:
    requested = (scope or " ".join(client.scopes)).split()
    if not requested or not set(requested) <= set(client.scopes):
        raise OAuthError("invalid_scope", "the requested scope is not registered for this client")
    return requested


def pkce_challenge(verifier: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")


def issue_code(client: OAuthClient, account: Account, redirect_uri: str, scopes: list[str], params) -> str:
    """After consent. PKCE with S256 is required of every client (OAuth 2.1)."""
    challenge, method = params.get("code_challenge") or "", params.get("code_challenge_method") or ""
    if method != "S256" or not 43 <= len(challenge) <= 128:
        raise OAuthError(
            "invalid_request", "PKCE is required: code_challenge with code_challenge_method=S256"
        )
    code = secrets.token_urlsafe(32)
    AuthorizationCode.objects.create(
        code_hash=digest(code),
        client=client,
        account=account,
        redirect_uri=redirect_uri,
        scopes=scopes,
        code_challenge=challenge,
        expires_at=timezone.now() + CODE_TTL,
    )
    return code


@dataclass(frozen=True)
class Tokens:
    access_token: str
    refresh_token: str
    expires_in: int
    scope: str

    def as_response(self) -> dict:
        return {
            "access_token": self.access_token,
            "token_type": "Bearer",
            "expires_in": self.expires_in,
            "refresh_token": self.refresh_token,
            "scope": self.scope,
        }


def _new_tokens(client: OAuthClient, account: Account, scopes: list[str], code_hash: str = "") -> Tokens:
    access, refresh, now = secrets.token_urlsafe(32), secrets.token_urlsafe(32), timezone.now()
    AccessToken.objects.create(
        access_hash=digest(access),
        refresh_hash=digest(refresh),
        code_hash=code_hash,
        client=client,
        account=account,
        scopes=scopes,
        expires_at=now + ACCESS_TTL,
        refresh_expires_at=now + REFRESH_TTL,
    )
    return Tokens(access, refresh, int(ACCESS_TTL.total_seconds()), " ".join(scopes))


def exchange_code(client: OAuthClient, code: str, redirect_uri: str, verifier: str) -> Tokens:
    with transaction.atomic():
        grant = (
            AuthorizationCode.objects.select_for_update()
            .filter(code_hash=digest(code or ""), client=client)
            .first()
        )
        if grant is None:
            raise OAuthError("invalid_grant", "unknown authorization code")
        replayed = grant.used_at is not None
        if replayed:  # revoke what the code produced; committed before the error is raised
            AccessToken.objects.filter(code_hash=grant.code_hash).update(revoked_at=timezone.now())
        else:
            grant.used_at = timezone.now()
            grant.save(update_fields=["used_at"])
    if replayed:
        raise OAuthError("invalid_grant", "authorization code already used; its tokens are revoked")
    if grant.expires_at < timezone.now():
        raise OAuthError("invalid_grant", "authorization code expired")
    if redirect_uri != grant.redirect_uri:
        raise OAuthError("invalid_grant", "redirect_uri differs from the authorization request")
    if not verifier or not hmac.compare_digest(pkce_challenge(verifier), grant.code_challenge):
        raise OAuthError("invalid_grant", "code_verifier does not match the code_challenge")
    return _new_tokens(client, grant.account, grant.scopes, grant.code_hash)


def refresh(client: OAuthClient, refresh_token: str, scope: str | None) -> Tokens:
    """Rotate: the old refresh token (and its access token) stop working.

    A refresh token used again after it was rotated means it leaked (RFC 9700 4.14.2): every token of its
    family (all issued from the same authorization code) is revoked, the newest included."""
    with transaction.atomic():
        token = (
            AccessToken.objects.select_for_update()
            .filter(refresh_hash=digest(refresh_token or ""), client=client)
            .first()
        )
        reused = token is not None and token.revoked_at is not None
        if token is not None and reused and token.code_hash:  # committed before the error is raised
            AccessToken.objects.filter(
                client=client, code_hash=token.code_hash, revoked_at__isnull=True
            ).update(revoked_at=timezone.now())
    if reused:
        raise OAuthError("invalid_grant", "refresh token already used; every token issued from it is revoked")
    with transaction.atomic():
        token = (
            AccessToken.objects.select_for_update()
            .filter(refresh_hash=digest(refresh_token or ""), client=client, revoked_at__isnull=True)
            .first()
        )
        if token is None or token.refresh_expires_at < timezone.now():
            raise OAuthError("invalid_grant", "unknown, expired or revoked refresh token")
        scopes = token.scopes if not scope else scope.split()
        if not set(scopes) <= set(token.scopes):
            raise OAuthError("invalid_scope", "a refresh cannot widen the scope")
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        return _new_tokens(client, token.account, scopes, token.code_hash)


def revoke(client: OAuthClient, token: str) -> None:
    """RFC 7009: revoke by access or refresh token; unknown tokens are not an error."""
    h = digest(token or "")
    AccessToken.objects.filter(client=client, revoked_at__isnull=True).filter(
        Q(access_hash=h) | Q(refresh_hash=h)
    ).update(revoked_at=timezone.now())


def bearer(authorization: str, scope: str) -> AccessToken:
    """The access token in an ``Authorization: Bearer`` header, with the scope the resource needs."""
    if not authorization.lower().startswith("bearer "):
        raise OAuthError("invalid_token", "an OAuth 2.0 bearer token is required", status=401)
    token = (
        AccessToken.objects.select_related("account", "client")
        .filter(access_hash=digest(authorization[7:].strip()), revoked_at__isnull=True)
        .first()
    )
    if token is None or token.expires_at < timezone.now():
        raise OAuthError("invalid_token", "the access token is unknown, expired or revoked", status=401)
    if scope not in token.scopes:
        raise OAuthError("insufficient_scope", f"this needs the scope {scope}", status=403)
    return token
