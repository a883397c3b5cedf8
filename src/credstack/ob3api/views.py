"""The Open Badges 3.0 REST API (``/ims/ob/v3p0``): discovery, OAuth 2.0, getCredentials, getProfile."""

from __future__ import annotations

import base64
import binascii
import json
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from credstack.portal import queries as portal
from credstack.ui.imsx import imsx_error

from . import actions
from .actions import OAuthError
from .models import SCOPE_PREFIX, SCOPES, HeldCredential, HolderProfile

BASE = "/ims/ob/v3p0"
MAX_BODY = 64 * 1024


NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}  # RFC 6749 5.1, the OB 3.0 security section


def _oauth_error(exc: OAuthError) -> JsonResponse:
    """RFC 6749 5.2. A client that failed to authenticate gets a challenge in the scheme it may use at the
    token and revocation endpoints: HTTP Basic."""
    response = JsonResponse({"error": exc.code, "error_description": exc.description}, status=exc.status)
    for header, value in NO_STORE.items():
        response[header] = value
    if exc.status == 401:
        response["WWW-Authenticate"] = 'Basic realm="credstack", charset="UTF-8"'
    return response


def _auth_error(exc: OAuthError) -> JsonResponse:
    return imsx_error(exc.status, exc.description, bearer_error=exc.code)


def _not_allowed(request: HttpRequest, allowed: list[str]) -> JsonResponse:
    response = imsx_error(405, f"{request.method} is not allowed here; use {' or '.join(allowed)}")
    response["Allow"] = ", ".join(allowed)
    return response


def _operation(op: str, tag: str, scope: str, summary: str) -> dict:
    return {
        "operationId": op,
        "tags": [tag],
        "summary": summary,
        "security": [{"OAuth2ACG": [SCOPE_PREFIX + scope]}],
        "responses": {"200": {"description": summary}},
    }


def terms_url() -> str:
    return settings.CREDSTACK_TERMS_URL or f"{settings.CREDSTACK_BASE_URL}{reverse('ob3-terms')}"


def privacy_url() -> str:
    return settings.CREDSTACK_PRIVACY_URL or f"{settings.CREDSTACK_BASE_URL}{reverse('ob3-privacy')}"


@csrf_exempt  # no cookie is read: nothing to forge; other methods get the spec's 405
def discovery(request: HttpRequest) -> JsonResponse:
    """The ServiceDescriptionDocument: an OpenAPI 3.0 document with 1EdTech's x-imssf extensions."""
    if request.method not in ("GET", "HEAD"):
        return _not_allowed(request, ["GET"])
    base = settings.CREDSTACK_BASE_URL
    doc = {
        "openapi": "3.0.1",
        "info": {
            "title": "credstack Open Badges 3.0 API",
            "version": "3.0",
            "termsOfService": terms_url(),
            "x-imssf-privacyPolicyUrl": privacy_url(),
            "x-imssf-image": f"{base}{reverse('ob3-image')}",
        },
        "servers": [{"url": f"{base}{BASE}", "description": "credstack"}],
        "tags": [{"name": "OpenBadgeCredentials"}, {"name": "Discovery"}],
        "paths": {
            "/credentials": {
                "get": _operation(
                    "getCredentials",
                    "OpenBadgeCredentials",
                    "credential.readonly",
                    "the holder's credentials",
                ),
                "post": _operation(
                    "upsertCredential",
                    "OpenBadgeCredentials",
                    "credential.upsert",
                    "add a credential to the holder's account, or replace the one with its id",
                ),
            },
            "/profile": {
                "get": _operation(
                    "getProfile", "OpenBadgeCredentials", "profile.readonly", "the holder's profile"
                ),
                "put": _operation(
                    "putProfile", "OpenBadgeCredentials", "profile.update", "change the holder's profile"
                ),
            },
        },
        "components": {
            "securitySchemes": {
                "OAuth2ACG": {
                    "type": "oauth2",
                    "description": "OAuth 2.0 authorization code grant with PKCE (S256)",
                    "x-imssf-name": "credstack",
                    "x-imssf-registrationUrl": f"{base}{BASE}/oauth/register",
                    "flows": {
                        "authorizationCode": {
                            "tokenUrl": f"{base}{BASE}/oauth/token",
                            "authorizationUrl": f"{base}{BASE}/oauth/authorize",
                            "refreshUrl": f"{base}{BASE}/oauth/token",
                            "x-imssf-revocationUrl": f"{base}{BASE}/oauth/revoke",
                            "scopes": dict(SCOPES),  # every one registration accepts
                        }
                    },
                }
            }
        },
    }
    return JsonResponse(doc)


LOGO = """<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64" width="64" height="64">
<title>credstack</title><rect width="64" height="64" rx="12" fill="#1f4e79"/>
<path d="M18 22h28v4H18zm0 8h28v4H18zm0 8h18v4H18z" fill="#fff"/>
<circle cx="45" cy="43" r="7" fill="#f2b134"/></svg>
"""


@require_GET
def image(request: HttpRequest) -> HttpResponse:
    """The x-imssf-image of the discovery document: the service's logo, for a wallet's list of hosts."""
    response = HttpResponse(LOGO, content_type="image/svg+xml")
    response["Cache-Control"] = "public, max-age=86400"
    return response


@require_GET
def terms(request: HttpRequest) -> HttpResponse:
    return render(request, "ob3api/terms.html", {"privacy": privacy_url()})


@require_GET
def privacy(request: HttpRequest) -> HttpResponse:
    return render(request, "ob3api/privacy.html", {"terms": terms_url()})


@csrf_exempt
@require_POST
def register(request: HttpRequest) -> JsonResponse:
    if len(request.body) > MAX_BODY:
        return _oauth_error(OAuthError("invalid_client_metadata", "request too large"))
    try:
        metadata = json.loads(request.body)
        registration = actions.register_client(metadata)
    except (ValueError, RecursionError):  # RecursionError: JSON nested thousands deep
        return _oauth_error(OAuthError("invalid_client_metadata", "the body must be JSON"))
    except OAuthError as exc:
        return _oauth_error(exc)
    client = registration.client
    response = JsonResponse(
        {
            "client_id": client.client_id,
            "client_secret": registration.client_secret,
            "client_id_issued_at": int(client.created_at.timestamp()),
            "client_secret_expires_at": 0,
            "client_name": client.client_name,
            "redirect_uris": client.redirect_uris,
            "scope": " ".join(client.scopes),
            "grant_types": ["authorization_code", "refresh_token"],
            "response_types": ["code"],
            "token_endpoint_auth_method": client.token_endpoint_auth_method,
            **{
                k: getattr(client, k)
                for k in (
                    "client_uri",
                    "logo_uri",
                    "tos_uri",
                    "policy_uri",
                    "software_id",
                    "software_version",
                )
                if getattr(client, k)
            },
            **({"contacts": client.contacts} if client.contacts else {}),
        },
        status=201,
    )
    for header, value in NO_STORE.items():
        response[header] = value
    return response


@require_http_methods(["GET", "POST"])
def authorize(request: HttpRequest) -> HttpResponse:
    params = request.GET if request.method == "GET" else request.POST
    try:
        client, redirect_uri, scopes = actions.check_authorization_request(params)
    except OAuthError as exc:  # never redirect to an unverified URI
        return render(request, "ob3api/error.html", {"error": exc}, status=400)

    def back(**values) -> HttpResponseRedirect:
        if params.get("state"):
            values["state"] = params["state"]
        separator = "&" if "?" in redirect_uri else "?"
        return HttpResponseRedirect(f"{redirect_uri}{separator}{urlencode(values)}")

    if params.get("response_type") != "code":
        return back(error="unsupported_response_type", error_description="only response_type=code")
    if params.get("code_challenge_method") != "S256" or not params.get("code_challenge"):
        return back(error="invalid_request", error_description="PKCE (S256) is required")

    account = portal.current_account(request)
    if account is None:
        return HttpResponseRedirect(
            f"{reverse('portal-login')}?{urlencode({'next': request.get_full_path()})}"
        )

    if request.method == "POST":
        if request.POST.get("decision") != "allow":
            return back(error="access_denied", error_description="the holder declined")
        try:
            code = actions.issue_code(client, account, redirect_uri, scopes, params)
        except OAuthError as exc:
            return back(error=exc.code, error_description=exc.description)
        return back(code=code, scope=" ".join(scopes))  # the granted scope (OB 3.0 security section)
    return render(
        request,
        "ob3api/authorize.html",
        {
            "client": client,
            "scopes": [gettext(SCOPES[s]) for s in scopes],
            "params": params.items(),
            "emails": account.emails.values_list("email", flat=True),
        },
    )


def _client_from(request: HttpRequest):
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("basic "):
        try:
            client_id, _, secret = base64.b64decode(header[6:]).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            raise OAuthError("invalid_client", "malformed Basic credentials", status=401)
    else:
        client_id, secret = request.POST.get("client_id", ""), request.POST.get("client_secret", "")
    return actions.authenticate_client(client_id, secret)


@csrf_exempt
@require_POST
def token(request: HttpRequest) -> JsonResponse:
    try:
        client = _client_from(request)
        grant = request.POST.get("grant_type")
        if grant == "authorization_code":
            tokens = actions.exchange_code(
                client,
                request.POST.get("code", ""),
                request.POST.get("redirect_uri", ""),
                request.POST.get("code_verifier", ""),
            )
        elif grant == "refresh_token":
            tokens = actions.refresh(client, request.POST.get("refresh_token", ""), request.POST.get("scope"))
        else:
            raise OAuthError("unsupported_grant_type", "authorization_code or refresh_token")
    except OAuthError as exc:
        return _oauth_error(exc)
    response = JsonResponse(tokens.as_response())
    for header, value in NO_STORE.items():
        response[header] = value
    return response


@csrf_exempt
@require_POST
def revoke(request: HttpRequest) -> HttpResponse:
    try:
        actions.revoke(_client_from(request), request.POST.get("token", ""))
    except OAuthError as exc:
        return _oauth_error(exc)
    return HttpResponse(status=200)


def _bearer(request: HttpRequest, scope: str):
    return actions.bearer(request.headers.get("Authorization", ""), SCOPE_PREFIX + scope)


@csrf_exempt  # bearer-token authentication only: no cookie is read, so there is no request to forge
def credentials(request: HttpRequest) -> HttpResponse:
    """getCredentials (GET) and upsertCredential (POST)."""
    if request.method in ("GET", "HEAD"):
        return get_credentials(request)
    if request.method == "POST":
        return upsert_credential(request)
    return _not_allowed(request, ["GET", "POST"])


def _page_link(url: str, limit: int, offset: int, rel: str) -> str:
    return f'<{url}?{urlencode({"limit": limit, "offset": offset})}>; rel="{rel}"'


def get_credentials(request: HttpRequest) -> JsonResponse:
    """The holder's credentials: those issued here to their addresses (newest first), then those clients
    put in their account with upsertCredential (newest first)."""
    try:
        access = _bearer(request, "credential.readonly")
    except OAuthError as exc:
        return _auth_error(exc)
    try:
        limit = int(request.GET.get("limit", 100))
        offset = int(request.GET.get("offset", 0))
        if not (1 <= limit <= 1000 and 0 <= offset <= 10_000_000):
            raise ValueError
    except ValueError:
        return imsx_error(400, "limit must be 1..1000 and offset 0..10000000", "invalid_query_parameter")
    issued = portal.credentials_for(access.account)
    held = HeldCredential.objects.filter(account=access.account).order_by("-issued_at", "-id")
    since = request.GET.get("since")
    if since is not None:
        moment = actions.parse_moment(since)
        if moment is None:
            return imsx_error(400, "since must be an ISO 8601 date-time", "invalid_query_parameter")
        issued, held = issued.filter(issued_at__gte=moment), held.filter(issued_at__gte=moment)
    n_issued, n_held = issued.count(), held.count()
    total = n_issued + n_held
    page: list[dict] = [c.signed() for c in issued[offset : offset + limit]]
    jws: list[str] = []
    if len(page) < limit:
        start = max(0, offset - n_issued)
        for h in held[start : start + limit - len(page)]:
            if h.compact_jws:
                jws.append(h.compact_jws)
            else:
                page.append(h.document)
    response = JsonResponse({"credential": page, "compactJwsString": jws})
    response["X-Total-Count"] = str(total)
    url = f"{settings.CREDSTACK_BASE_URL}{BASE}/credentials"
    last = max(0, ((total - 1) // limit) * limit) if total else 0
    links = []
    if offset + limit < total:
        links.append(_page_link(url, limit, offset + limit, "next"))
    links.append(_page_link(url, limit, last, "last"))  # first and last: always (OB 3.0 §6.2.1)
    links.append(_page_link(url, limit, 0, "first"))
    if offset:
        links.append(_page_link(url, limit, max(0, offset - limit), "prev"))
    response["Link"] = ", ".join(links)
    return response


def _json_body(request: HttpRequest):
    if len(request.body) > actions.MAX_CREDENTIAL_BYTES:
        raise actions.InvalidData("the request body is too large")
    try:
        return json.loads(request.body)
    except (ValueError, RecursionError):  # RecursionError: JSON nested thousands deep
        raise actions.InvalidData("the body must be JSON") from None


def upsert_credential(request: HttpRequest) -> HttpResponse:
    """upsertCredential: a JSON AchievementCredential (application/json) or a VC-JWT (text/plain)."""
    try:
        access = _bearer(request, "credential.upsert")
    except OAuthError as exc:
        return _auth_error(exc)
    kind = request.content_type or ""
    try:
        if kind == "application/json" or kind.endswith("+json"):
            document, jws = _json_body(request), ""
        elif kind == "text/plain":
            jws = request.body.decode("ascii", "replace").strip()
            document = actions.jws_payload(jws)
        else:
            return imsx_error(415, "send the credential as application/json, or as a VC-JWT in text/plain")
        stored, created = actions.upsert_credential(access, document, jws)
    except actions.InvalidData as exc:
        return imsx_error(400, str(exc))
    status = 201 if created else 200
    if isinstance(stored, str):
        return HttpResponse(stored, status=status, content_type="text/plain")
    return JsonResponse(stored, status=status)


@csrf_exempt  # bearer-token authentication only: no cookie is read, so there is no request to forge
def profile(request: HttpRequest) -> HttpResponse:
    """getProfile (GET) and putProfile (PUT)."""
    if request.method in ("GET", "HEAD"):
        return get_profile(request)
    if request.method == "PUT":
        return put_profile(request)
    return _not_allowed(request, ["GET", "PUT"])


def _profile(account) -> dict:
    emails = list(account.emails.values_list("email", flat=True))
    stored = HolderProfile.objects.filter(account=account).values_list("data", flat=True).first() or {}
    names = portal.credentials_for(account).values_list("recipient_name", flat=True)[:1]
    body = {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        ],
        "id": actions.profile_id(account),
        "type": ["Profile"],
        "name": names[0] if names else None,
        **stored,
        "email": emails[0] if emails else None,
        "otherIdentifier": [
            {"type": "IdentifierEntry", "identifier": e, "identifierType": "emailAddress"} for e in emails[1:]
        ],
    }
    return {k: v for k, v in body.items() if v not in (None, [], "")}


def get_profile(request: HttpRequest) -> JsonResponse:
    """getProfile: the holder as an OB 3.0 Profile."""
    try:
        access = _bearer(request, "profile.readonly")
    except OAuthError as exc:
        return _auth_error(exc)
    return JsonResponse(_profile(access.account))


def put_profile(request: HttpRequest) -> JsonResponse:
    """putProfile: the holder's name, URL, phone, image and address, as a client sets them."""
    try:
        access = _bearer(request, "profile.update")
    except OAuthError as exc:
        return _auth_error(exc)
    kind = request.content_type or ""
    if kind != "application/json" and not kind.endswith("+json"):
        return imsx_error(415, "send the Profile as application/json")
    try:
        actions.update_profile(access, _json_body(request))
    except actions.InvalidData as exc:
        return imsx_error(400, str(exc))
    return JsonResponse(_profile(access.account))
