"""The Open Badges 3.0 REST API (``/ims/ob/v3p0``): discovery, OAuth 2.0, getCredentials, getProfile."""

from __future__ import annotations

import base64
import binascii
import json
from datetime import UTC
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.dateparse import parse_datetime
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from credstack.portal import queries as portal

from . import actions
from .actions import OAuthError
from .models import SCOPE_PREFIX, SCOPES

BASE = "/ims/ob/v3p0"
MAX_BODY = 64 * 1024


def _oauth_error(exc: OAuthError) -> JsonResponse:
    response = JsonResponse({"error": exc.code, "error_description": exc.description}, status=exc.status)
    response["Cache-Control"] = "no-store"
    if exc.status == 401:
        response["WWW-Authenticate"] = f'Bearer error="{exc.code}"'
    return response


def _imsx_error(exc: OAuthError) -> JsonResponse:
    """Resource errors in the OB 3.0 Imsx_StatusInfo shape."""
    body = {
        "imsx_codeMajor": "failure",
        "imsx_severity": "error",
        "imsx_description": exc.description,
        "imsx_CodeMinor": {
            "imsx_codeMinorField": [
                {
                    "imsx_codeMinorFieldName": "TargetEndSystem",
                    "imsx_codeMinorFieldValue": "unauthorisedrequest"
                    if exc.status in (401, 403)
                    else "invaliddata",
                }
            ]
        },
    }
    response = JsonResponse(body, status=exc.status)
    if exc.status == 401:
        response["WWW-Authenticate"] = f'Bearer error="{exc.code}"'
    return response


@require_GET
def discovery(request: HttpRequest) -> JsonResponse:
    """The ServiceDescriptionDocument: an OpenAPI 3.0 document with 1EdTech's x-imssf extensions."""
    base = settings.CREDSTACK_BASE_URL
    scopes = {scope: text for scope, text in SCOPES.items()}
    doc = {
        "openapi": "3.0.1",
        "info": {
            "title": "credstack Open Badges 3.0 API",
            "version": "3.0",
            "termsOfService": f"{base}/",
            "x-imssf-privacyPolicyUrl": f"{base}/",
            "x-imssf-image": f"{base}/static/credstack/logo.svg",
        },
        "servers": [{"url": f"{base}{BASE}", "description": "credstack"}],
        "tags": [{"name": "OpenBadgeCredentials"}, {"name": "Profile"}, {"name": "Discovery"}],
        "paths": {
            "/credentials": {
                "get": {
                    "operationId": "getCredentials",
                    "tags": ["OpenBadgeCredentials"],
                    "security": [{"OAuth2ACG": [SCOPE_PREFIX + "credential.readonly"]}],
                    "responses": {"200": {"description": "the holder's credentials"}},
                }
            },
            "/profile": {
                "get": {
                    "operationId": "getProfile",
                    "tags": ["Profile"],
                    "security": [{"OAuth2ACG": [SCOPE_PREFIX + "profile.readonly"]}],
                    "responses": {"200": {"description": "the holder's profile"}},
                }
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
                            "scopes": scopes,
                        }
                    },
                }
            }
        },
    }
    return JsonResponse(doc)


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
            "token_endpoint_auth_method": "client_secret_basic",
            **{
                k: getattr(client, k)
                for k in ("client_uri", "logo_uri", "tos_uri", "policy_uri")
                if getattr(client, k)
            },
        },
        status=201,
    )
    response["Cache-Control"] = "no-store"
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
        return back(code=code)
    return render(
        request,
        "ob3api/authorize.html",
        {
            "client": client,
            "scopes": [SCOPES[s] for s in scopes],
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
    response["Cache-Control"] = "no-store"
    return response


@csrf_exempt
@require_POST
def revoke(request: HttpRequest) -> HttpResponse:
    try:
        actions.revoke(_client_from(request), request.POST.get("token", ""))
    except OAuthError as exc:
        return _oauth_error(exc)
    return HttpResponse(status=200)


@require_GET
def credentials(request: HttpRequest) -> JsonResponse:
    """getCredentials: the holder's credentials from every organization, newest first."""
    try:
        access = actions.bearer(
            request.headers.get("Authorization", ""), SCOPE_PREFIX + "credential.readonly"
        )
        limit = int(request.GET.get("limit", 100))
        offset = int(request.GET.get("offset", 0))
        if not (1 <= limit <= 1000 and 0 <= offset <= 10_000_000):
            raise ValueError
    except OAuthError as exc:
        return _imsx_error(exc)
    except ValueError:
        return _imsx_error(OAuthError("invalid_request", "limit must be 1..1000 and offset 0..10000000"))
    qs = portal.credentials_for(access.account)
    since = request.GET.get("since")
    if since:
        try:
            moment = parse_datetime(since)
            if moment is not None:  # in UTC: PostgreSQL refuses offsets beyond ±15:59
                moment = moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
        except (ValueError, OverflowError):
            moment = None
        if moment is None:
            return _imsx_error(OAuthError("invalid_request", "since must be an ISO 8601 date-time"))
        qs = qs.filter(issued_at__gte=moment)
    total = qs.count()
    page = [c.signed() for c in qs[offset : offset + limit]]
    response = JsonResponse({"credential": page, "compactJwsString": []})
    response["X-Total-Count"] = str(total)
    links = []
    url = f"{settings.CREDSTACK_BASE_URL}{BASE}/credentials"
    if offset + limit < total:
        links.append(f'<{url}?{urlencode({"limit": limit, "offset": offset + limit})}>; rel="next"')
        last = max(0, ((total - 1) // limit) * limit)
        links.append(f'<{url}?{urlencode({"limit": limit, "offset": last})}>; rel="last"')
    if offset:
        links.append(f'<{url}?{urlencode({"limit": limit, "offset": 0})}>; rel="first"')
        links.append(f'<{url}?{urlencode({"limit": limit, "offset": max(0, offset - limit)})}>; rel="prev"')
    if links:
        response["Link"] = ", ".join(links)
    return response


@require_GET
def profile(request: HttpRequest) -> JsonResponse:
    """getProfile: the holder as an OB 3.0 Profile."""
    try:
        access = actions.bearer(request.headers.get("Authorization", ""), SCOPE_PREFIX + "profile.readonly")
    except OAuthError as exc:
        return _imsx_error(exc)
    account = access.account
    emails = list(account.emails.values_list("email", flat=True))
    names = portal.credentials_for(account).values_list("recipient_name", flat=True)[:1]
    body = {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        ],
        "id": f"{settings.CREDSTACK_BASE_URL}/me/{account.public_id}",
        "type": "Profile",
        "email": emails[0] if emails else None,
        "otherIdentifier": [
            {"type": "IdentifierEntry", "identifier": e, "identifierType": "emailAddress"} for e in emails[1:]
        ],
    }
    if names:
        body["name"] = names[0]
    return JsonResponse({k: v for k, v in body.items() if v not in (None, [])})
