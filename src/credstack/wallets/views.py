"""OpenID4VCI endpoints for wallets, and the holder's "add to a wallet" page (decision 0053)."""

from __future__ import annotations

import json
from urllib.parse import urlencode

import segno
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from credstack.portal import actions as portal_actions
from credstack.portal import queries as portal_queries

from . import actions, protocol
from .actions import WalletError

MAX_BODY = 64 * 1024


def _no_store(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "no-store"
    response["Pragma"] = "no-cache"
    return response


def _error(exc: WalletError, status: int = 400) -> HttpResponse:
    response = JsonResponse({"error": exc.error, "error_description": exc.description}, status=status)
    if exc.error == "invalid_token":
        response.status_code = 401
        response["WWW-Authenticate"] = f'Bearer error="invalid_token", error_description="{exc.description}"'
    return _no_store(response)


def _public_json(document: dict) -> HttpResponse:
    response = JsonResponse(document)
    response["Access-Control-Allow-Origin"] = "*"
    response["Cache-Control"] = "public, max-age=300"
    return response


@require_safe
def issuer_metadata(request: HttpRequest) -> HttpResponse:
    """``/.well-known/openid-credential-issuer`` (OpenID4VCI 1.0 §12.2)."""
    return _public_json(protocol.issuer_metadata())


@require_safe
def authorization_server_metadata(request: HttpRequest) -> HttpResponse:
    """``/.well-known/oauth-authorization-server`` (RFC 8414) for the token endpoint."""
    return _public_json(protocol.authorization_server_metadata())


@csrf_exempt  # a wallet's request, authenticated by the pre-authorized code, not a cookie
@require_POST
def token(request: HttpRequest) -> HttpResponse:
    """The token endpoint (OpenID4VCI 1.0 §6): the pre-authorized code grant only."""
    if request.POST.get("grant_type") != protocol.PRE_AUTHORIZED_GRANT:
        return _error(
            WalletError(
                "unsupported_grant_type", f"grant_type must be {protocol.PRE_AUTHORIZED_GRANT} (form-encoded)"
            )
        )
    if request.POST.get("tx_code"):
        return _error(WalletError("invalid_request", "this offer has no transaction code (tx_code)"))
    try:
        issued = actions.redeem_code(request.POST.get("pre-authorized_code", ""))
    except WalletError as exc:
        return _error(exc)
    return _no_store(
        JsonResponse(
            {"access_token": issued.access_token, "token_type": "Bearer", "expires_in": issued.expires_in}
        )
    )


@csrf_exempt  # a wallet's request; nothing is written
@require_POST
def nonce(request: HttpRequest) -> HttpResponse:
    """The nonce endpoint (OpenID4VCI 1.0 §7): a fresh ``c_nonce`` for the wallet's key proof. A
    ``jwt_vc_json`` request's proof must carry it (decision 0065); an ``ldp_vc`` request's proof is not
    checked, that credential not being bound to the wallet's key (decision 0053)."""
    return _no_store(JsonResponse({"c_nonce": actions.new_c_nonce()}))


def _bearer(request: HttpRequest) -> str:
    header = request.headers.get("Authorization", "")
    scheme, _sep, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" else ""


@csrf_exempt  # a wallet's request, authenticated by its bearer token, not a cookie
@require_POST
def credential(request: HttpRequest) -> HttpResponse:
    """The credential endpoint (OpenID4VCI 1.0 §8): the signed credential of the offer, once."""
    if len(request.body) > MAX_BODY:
        return _error(WalletError("invalid_credential_request", "the request is too large"))
    try:
        body = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        return _error(WalletError("invalid_credential_request", "the request body is not JSON"))
    if not isinstance(body, dict):
        return _error(WalletError("invalid_credential_request", "the request body is not a JSON object"))
    asked = body.get("credential_configuration_id") or body.get("credential_identifier")
    if asked not in protocol.CONFIGURATION_IDS:
        return _error(
            WalletError(
                "unknown_credential_configuration",
                "credential_configuration_id must be one of "
                + ", ".join(repr(c) for c in protocol.CONFIGURATION_IDS),
            )
        )
    try:
        document = actions.deliver(_bearer(request), asked, _key_proofs(body))
    except WalletError as exc:
        return _error(exc, status=403 if exc.error == "credential_request_denied" else 400)
    return _no_store(JsonResponse({"credentials": [{"credential": document}]}))


def _key_proofs(body: dict) -> list:
    """The ``jwt`` key proofs of a credential request: 1.0's ``proofs: {"jwt": [...]}``, or the drafts'
    ``proof: {"proof_type": "jwt", "jwt": ...}`` that Sphereon's client still sends."""
    proofs = body.get("proofs")
    if isinstance(proofs, dict) and isinstance(proofs.get("jwt"), list):
        return proofs["jwt"][:10]
    proof = body.get("proof")
    if isinstance(proof, dict) and proof.get("proof_type") == "jwt" and "jwt" in proof:
        return [proof["jwt"]]
    return []


@csrf_exempt  # a wallet's request, authenticated by the exchange's secret URL and a DIDAuth presentation
@require_POST
def exchange(request: HttpRequest, code: str) -> HttpResponse:
    """A VC-API exchange (the Learner Credential Wallet's protocol): ``{}`` starts it and gets a DIDAuth
    request; ``{"verifiablePresentation": …}`` signed with the wallet's did:key gets the credential."""
    if len(request.body) > MAX_BODY:
        return _error(WalletError("invalid_request", "the request is too large"))
    try:
        body = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        return _error(WalletError("invalid_request", "the request body is not JSON"))
    if not isinstance(body, dict):
        return _error(WalletError("invalid_request", "the request body is not a JSON object"))
    domain = protocol.issuer()
    try:
        if "verifiablePresentation" in body:
            answer = actions.finish_exchange(code, body["verifiablePresentation"], domain)
        else:
            answer = actions.start_exchange(code, domain)
    except WalletError as exc:
        return _error(exc)
    return _no_store(JsonResponse(answer))


def _qr_svg(uri: str) -> str:
    svg = segno.make(uri, error="l").svg_inline(scale=3, dark="#111", light="#fff", border=3, omitsize=True)
    label = escape(_("QR code"))
    return mark_safe(svg.replace("<svg ", f'<svg role="img" aria-label="{label}" ', 1))  # noqa: S308  (segno's markup, the label escaped)


@never_cache
@require_http_methods(["GET", "POST"])
def add_to_wallet(request: HttpRequest, public_id: str) -> HttpResponse:
    """The holder's page: a credential offer as a QR code and an ``openid-credential-offer://`` link.
    GET explains; POST makes a fresh single-use offer (a write, so not on GET)."""
    account = portal_queries.current_account(request)
    if account is None:
        return redirect(f"/me/login?{urlencode({'next': request.get_full_path()})}")
    credential = portal_queries.credentials_for(account).filter(public_id=public_id).first()
    if credential is None:  # someone else's credential: not found, whatever it is
        raise Http404
    context: dict = {"credential": credential, "minutes": actions.OFFER_MINUTES}
    why = actions.offerable(credential)
    if why:
        context["error"] = why
    elif request.method == "POST":
        try:
            made = actions.make_offer(credential, actor=portal_actions.holder(account))
        except WalletError as exc:
            context["error"] = exc.description
        else:
            uri = protocol.offer_uri(made.code)
            context.update(
                offer_uri=uri,
                qr=_qr_svg(uri),
                expires_at=made.offer.expires_at,
                lcw_uri=protocol.lcw_request_uri(made.code),
            )
    response = render(request, "wallets/add.html", context)
    if "error" in context and request.method == "POST":
        response.status_code = 409
    return response
