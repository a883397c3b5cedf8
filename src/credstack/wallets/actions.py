"""OpenID for Verifiable Credential Issuance 1.0, pre-authorized code flow (decision 0053).

The holder asks for an offer of one of their credentials (``make_offer``): a random pre-authorized
code, kept as a hash, bound to that credential, valid ``OFFER_MINUTES`` and good for one token. The
wallet exchanges it at the token endpoint (``redeem_code``) for an access token valid
``TOKEN_MINUTES`` and good for one credential request (``deliver``), which answers with the signed
credential exactly as stored (the page, the PDF and the badge carry the same bytes), or, for
``jwt_vc_json``, with the same credential signed as a JWT and bound to the key the wallet proved it holds
(decision 0065).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.core import signing as django_signing
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from credstack.credentials import securing
from credstack.credentials.models import Credential
from credstack.organizations import audit
from credstack.organizations.actors import Actor, as_actor
from credstack.vc import contexts as vc_contexts
from credstack.vc import jose
from credstack.vc import keys as vc_keys
from credstack.vc import proofs as vc_proofs

from . import protocol
from .models import WalletOffer

OFFER_MINUTES = 10
TOKEN_MINUTES = 5
NONCE_SECONDS = 300
_NONCE_SALT = "credstack.wallets.c_nonce"


class WalletError(Exception):
    """A refused wallet request: ``error`` is the OAuth 2.0 / OpenID4VCI error code, the message says why."""

    def __init__(self, error: str, description: str) -> None:
        self.error = error
        self.description = description
        super().__init__(description)


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def offerable(credential: Credential) -> str | None:
    """None when the credential may go into a wallet, else why not (a revoked, suspended, replaced or
    expired credential is not handed to a wallet)."""
    if credential.replaced_by_id:
        return _("this credential was replaced by another one")
    if credential.state != Credential.State.ACTIVE:
        return _("this credential is %(state)s") % {"state": credential.get_state_display().lower()}
    if credential.valid_until is not None and credential.valid_until <= timezone.now():
        return _("this credential has expired")
    return None


@dataclass(frozen=True)
class Offer:
    offer: WalletOffer
    code: str  # shown once (in the QR code and the link), never stored


def make_offer(credential: Credential, *, actor: Actor | str | None) -> Offer:
    """A new single-use pre-authorized code for ``credential`` (the caller checked that the actor holds
    it). Raises WalletError when the credential cannot go into a wallet."""
    who = as_actor(actor)
    why = offerable(credential)
    if why:
        raise WalletError("invalid_request", why)
    code = secrets.token_urlsafe(32)
    with transaction.atomic():
        offer = WalletOffer.objects.create(
            credential=credential,
            code_hash=_hash(code),
            expires_at=timezone.now() + timedelta(minutes=OFFER_MINUTES),
            requested_by=who.label[:254],
        )
        audit.record(credential.organization, who, "credential.wallet_offer", credential.public_id)
    return Offer(offer, code)


@dataclass(frozen=True)
class Token:
    access_token: str
    expires_in: int
    offer: WalletOffer


def redeem_code(code: str) -> Token:
    """Exchange a pre-authorized code for an access token, once. Raises WalletError(invalid_grant)."""
    if not code or len(code) > 200:
        raise WalletError("invalid_request", "pre-authorized_code is missing")
    now = timezone.now()
    with transaction.atomic():
        offer = (
            WalletOffer.objects.select_for_update()
            .select_related("credential__organization")
            .filter(code_hash=_hash(code))
            .first()
        )
        if offer is None:
            raise WalletError("invalid_grant", "unknown pre-authorized code")
        if offer.redeemed_at is not None:
            raise WalletError("invalid_grant", "this pre-authorized code was already used")
        if offer.expires_at <= now:
            raise WalletError("invalid_grant", "this pre-authorized code has expired; ask for a new offer")
        why = offerable(offer.credential)
        if why:
            raise WalletError("invalid_grant", why)
        token = secrets.token_urlsafe(32)
        offer.redeemed_at = now
        offer.token_hash = _hash(token)
        offer.token_expires_at = now + timedelta(minutes=TOKEN_MINUTES)
        offer.save(update_fields=["redeemed_at", "token_hash", "token_expires_at"])
        audit.record(
            offer.credential.organization,
            Actor.system("a wallet (OpenID4VCI token request)"),
            "credential.wallet_token",
            offer.credential.public_id,
        )
    return Token(token, TOKEN_MINUTES * 60, offer)


def new_c_nonce() -> str:
    """A fresh ``c_nonce`` (OpenID4VCI 1.0 §7): random, with the server's time, signed with the
    deployment's secret key, so the credential endpoint can tell it is ours and at most ``NONCE_SECONDS``
    old without keeping a row per nonce (a replayed proof still needs the single-use access token)."""
    return django_signing.TimestampSigner(salt=_NONCE_SALT).sign(secrets.token_urlsafe(18))


def check_key_proofs(proofs: list) -> str:
    """The holder DID the wallet's first ``jwt`` key proof proves (OpenID4VCI 1.0 Appendix F.1), or
    WalletError(invalid_proof / invalid_nonce). The credential is bound to that one key."""
    if not proofs:
        raise WalletError(
            "invalid_proof",
            f"{protocol.JWT_CONFIGURATION_ID} binds the credential to the wallet's key: send a jwt key proof "
            "(proofs.jwt) signed by it, with a c_nonce from the nonce endpoint",
        )
    try:
        proof = jose.check_key_proof(proofs[0], protocol.issuer(), timezone.now())
    except jose.JoseError as exc:
        raise WalletError("invalid_proof", str(exc)) from None
    if proof.nonce is None:
        raise WalletError("invalid_proof", "the key proof has no nonce: ask the nonce endpoint for a c_nonce")
    try:
        django_signing.TimestampSigner(salt=_NONCE_SALT).unsign(proof.nonce, max_age=NONCE_SECONDS)
    except django_signing.SignatureExpired:
        raise WalletError("invalid_nonce", "the key proof's c_nonce has expired; ask for a new one") from None
    except django_signing.BadSignature:
        raise WalletError("invalid_nonce", "the key proof's nonce is not a c_nonce of this issuer") from None
    return proof.holder


def deliver(
    access_token: str, configuration_id: str = protocol.CONFIGURATION_ID, proofs: list | None = None
) -> dict | str:
    """The credential for an access token, once, in either format: ``ldp_vc``, the stored credential as
    it is; ``jwt_vc_json``, the same credential as a JWT bound to the key of the wallet's key proof
    (decision 0065). One delivery per token, whichever format. Raises WalletError(invalid_token) for a
    token that is unknown, expired or used, WalletError(invalid_proof / invalid_nonce) for a missing or
    bad key proof, and WalletError(credential_request_denied) when the credential was revoked, suspended
    or replaced in between. A refused request changes nothing."""
    if not access_token:
        raise WalletError("invalid_token", "no access token")
    if configuration_id not in protocol.CONFIGURATION_IDS:
        raise WalletError("unknown_credential_configuration", f"unknown configuration {configuration_id!r}")
    now = timezone.now()
    with transaction.atomic():
        offer = (
            WalletOffer.objects.select_for_update()
            .select_related("credential__organization")
            .filter(token_hash=_hash(access_token))
            .first()
        )
        if offer is None or offer.token_expires_at is None:
            raise WalletError("invalid_token", "unknown access token")
        if offer.delivered_at is not None:
            raise WalletError("invalid_token", "this access token was already used")
        if offer.token_expires_at <= now:
            raise WalletError("invalid_token", "this access token has expired")
        credential = Credential.objects.select_related("organization").get(pk=offer.credential_id)
        why = offerable(credential)  # the stored state as it is now
        if why:
            raise WalletError("credential_request_denied", why)
        delivered: dict | str
        if configuration_id == protocol.JWT_CONFIGURATION_ID:
            holder = check_key_proofs(proofs or [])
            delivered = securing.as_jwt(credential, holder)
            detail = f"jwt_vc_json, bound to {holder[:160]}"
        else:
            delivered = credential.signed()
            detail = "ldp_vc"
        offer.delivered_at = now
        offer.save(update_fields=["delivered_at"])
        audit.record(
            offer.credential.organization,
            Actor.system("a wallet (OpenID4VCI credential request)"),
            "credential.wallet_delivered",
            credential.public_id,
            detail,
        )
    return delivered


# ---- the VC-API exchange the Learner Credential Wallet speaks (decision 0053) ---------------------

DID_AUTH_QUERY = {"type": "DIDAuthentication", "acceptedMethods": [{"method": "key"}]}


def _open_offer(code: str) -> WalletOffer:
    offer = (
        WalletOffer.objects.select_for_update()
        .select_related("credential__organization")
        .filter(code_hash=_hash(code or ""))
        .first()
    )
    if offer is None:
        raise WalletError("invalid_request", "unknown exchange")
    if offer.redeemed_at is not None:
        raise WalletError("invalid_request", "this exchange was already completed")
    if offer.expires_at <= timezone.now():
        raise WalletError("invalid_request", "this exchange has expired; ask for a new offer")
    why = offerable(offer.credential)
    if why:
        raise WalletError("invalid_request", why)
    return offer


def start_exchange(code: str, domain: str) -> dict:
    """Step 1 of the VC-API exchange: a ``verifiablePresentationRequest`` for DID authentication with a
    fresh challenge (kept on the offer). Raises WalletError."""
    with transaction.atomic():
        offer = _open_offer(code)
        offer.challenge = secrets.token_urlsafe(24)
        offer.save(update_fields=["challenge"])
        audit.record(
            offer.credential.organization,
            Actor.system("a wallet (VC-API exchange)"),
            "credential.wallet_exchange",
            offer.credential.public_id,
        )
    return {
        "verifiablePresentationRequest": {
            "query": [DID_AUTH_QUERY],
            "challenge": offer.challenge,
            "domain": domain,
        }
    }


def _did_key_resolver(method: str) -> bytes | None:
    did, _sep, fragment = method.partition("#")
    if not did.startswith(vc_keys.DID_KEY_PREFIX) or fragment != did[len(vc_keys.DID_KEY_PREFIX) :]:
        return None
    try:
        return vc_keys.public_key_from_did_key(did)
    except ValueError:
        return None


def check_did_auth(presentation: object, challenge: str, domain: str) -> str:
    """The holder DID a DIDAuth presentation proves, or WalletError: signed (Ed25519Signature2020 or
    eddsa-rdfc-2022) by a did:key, proof purpose ``authentication``, our challenge and domain."""
    if not isinstance(presentation, dict):
        raise WalletError("invalid_request", "verifiablePresentation must be a JSON object")
    proofs_found = vc_proofs.proof_list(presentation)
    if len(proofs_found) != 1 or not isinstance(proofs_found[0], dict):
        raise WalletError("invalid_request", "the presentation must carry one proof")
    proof = proofs_found[0]
    if proof.get("proofPurpose") != "authentication":
        raise WalletError("invalid_request", "the presentation's proof purpose must be authentication")
    if not challenge or proof.get("challenge") != challenge:
        raise WalletError("invalid_request", "the presentation does not sign this exchange's challenge")
    if proof.get("domain") not in (None, domain):
        raise WalletError("invalid_request", "the presentation is for another domain")
    result = vc_proofs.verify(presentation, _did_key_resolver)
    if not result.verified:
        raise WalletError("invalid_request", f"the presentation's signature does not verify: {result.error}")
    holder = str(proof.get("verificationMethod", "")).split("#", 1)[0]
    if presentation.get("holder") not in (None, holder):
        raise WalletError("invalid_request", "the presentation's holder did not sign it")
    return holder


def finish_exchange(code: str, presentation: object, domain: str) -> dict:
    """Step 2: a valid DIDAuth presentation gets the credential, once, in a presentation (unsigned,
    as VC-API exchanges return it). The credential is not bound to the holder's DID (decision 0053)."""
    with transaction.atomic():
        offer = _open_offer(code)
        holder = check_did_auth(presentation, offer.challenge, domain)
        now = timezone.now()
        offer.redeemed_at = offer.delivered_at = now
        offer.save(update_fields=["redeemed_at", "delivered_at"])
        credential = Credential.objects.get(pk=offer.credential_id)
        audit.record(
            offer.credential.organization,
            Actor.system("a wallet (VC-API exchange)"),
            "credential.wallet_delivered",
            credential.public_id,
            f"to the wallet of {holder[:120]}",
        )
    return {
        "verifiablePresentation": {
            "@context": [vc_contexts.VC_V2],
            "type": ["VerifiablePresentation"],
            "verifiableCredential": [credential.signed()],
        }
    }
