"""The documents of OpenID for Verifiable Credential Issuance 1.0 that credstack serves (decision 0053):
issuer metadata, authorization server metadata and the credential offer. No rows, no writes."""

from __future__ import annotations

import json
from urllib.parse import quote

from django.conf import settings

from credstack.vc import ob3

PRE_AUTHORIZED_GRANT = "urn:ietf:params:oauth:grant-type:pre-authorized_code"
CONFIGURATION_ID = "OpenBadgeCredential_ldp_vc"
JWT_CONFIGURATION_ID = "OpenBadgeCredential_jwt_vc_json"
CONFIGURATION_IDS = (CONFIGURATION_ID, JWT_CONFIGURATION_ID)
# the wallet keys a jwt_vc_json credential can be bound to (decision 0065), and the key proof algorithms
BINDING_METHODS = ["did:key", "did:jwk", "jwk"]
PROOF_ALGORITHMS = ["EdDSA", "Ed25519", "ES256"]
OFFER_SCHEME = "openid-credential-offer://"


def issuer() -> str:
    """The Credential Issuer Identifier: the deployment's base URL (its metadata is at the root's
    ``/.well-known/openid-credential-issuer``)."""
    return settings.CREDSTACK_BASE_URL.rstrip("/")


def endpoint(name: str) -> str:
    return f"{issuer()}/oid4vci/{name}"


def issuer_metadata() -> dict:
    """OpenID4VCI 1.0 §12.2: two configurations of the same Open Badges 3.0 credential.

    ``ldp_vc``: the stored credential with its ``eddsa-rdfc-2022`` Data Integrity proof; no
    ``cryptographic_binding_methods_supported`` and no ``proof_types_supported``: it is not bound to a
    wallet key (decision 0053). ``jwt_vc_json`` (Appendix A.1.1): the same credential signed as a JWT
    (``EdDSA``), bound to the wallet's key, whose ``jwt`` key proof is required (decision 0065)."""
    return {
        "credential_issuer": issuer(),
        "authorization_servers": [issuer()],
        "credential_endpoint": endpoint("credential"),
        "nonce_endpoint": endpoint("nonce"),
        "display": [{"name": "credstack", "locale": "en"}],
        "credential_configurations_supported": {
            CONFIGURATION_ID: {
                "format": "ldp_vc",
                "scope": "OpenBadgeCredential",
                "credential_signing_alg_values_supported": ["eddsa-rdfc-2022"],
                "credential_definition": {"@context": list(ob3.CONTEXT), "type": list(ob3.CREDENTIAL_TYPE)},
                "credential_metadata": {
                    "display": [{"name": "Open Badge", "locale": "en", "description": "Open Badges 3.0"}]
                },
                # drafts up to 15 read display here
                "display": [{"name": "Open Badge", "locale": "en"}],
            },
            JWT_CONFIGURATION_ID: {
                "format": "jwt_vc_json",
                "cryptographic_binding_methods_supported": list(BINDING_METHODS),
                "credential_signing_alg_values_supported": ["EdDSA"],
                "proof_types_supported": {
                    "jwt": {"proof_signing_alg_values_supported": list(PROOF_ALGORITHMS)}
                },
                # not processed as JSON-LD (A.1.1): the types only, no @context
                "credential_definition": {"type": list(ob3.CREDENTIAL_TYPE)},
                "credential_metadata": {
                    "display": [
                        {
                            "name": "Open Badge (JWT)",
                            "locale": "en",
                            "description": "Open Badges 3.0, as a JWT",
                        }
                    ]
                },
                "display": [{"name": "Open Badge (JWT)", "locale": "en"}],
            },
        },
    }


def authorization_server_metadata() -> dict:
    """RFC 8414 metadata of the (same) authorization server: the token endpoint, the pre-authorized
    code grant, anonymous access (the wallet has no client registration)."""
    return {
        "issuer": issuer(),
        "token_endpoint": endpoint("token"),
        "grant_types_supported": [PRE_AUTHORIZED_GRANT],
        "pre-authorized_grant_anonymous_access_supported": True,
        "response_types_supported": [],
    }


def credential_offer(code: str) -> dict:
    """The credential offer (OpenID4VCI 1.0 §4.1.1) of one credential with its pre-authorized code, in
    either format (the wallet asks for the one it takes)."""
    return {
        "credential_issuer": issuer(),
        "credential_configuration_ids": list(CONFIGURATION_IDS),
        "grants": {PRE_AUTHORIZED_GRANT: {"pre-authorized_code": code}},
    }


def offer_uri(code: str) -> str:
    """The offer by value, as a wallet scans or opens it: ``openid-credential-offer://?credential_offer=``."""
    offer = json.dumps(credential_offer(code), separators=(",", ":"))
    return f"{OFFER_SCHEME}?credential_offer={quote(offer, safe='')}"


LCW_REQUEST = "https://lcw.app/request.html"


def exchange_url(code: str) -> str:
    """The VC-API exchange of an offer (same single-use code as the OpenID4VCI offer)."""
    return f"{issuer()}/wallet/exchanges/{code}"


def lcw_request_uri(code: str) -> str:
    """The Learner Credential Wallet's deep link (its "request" page, which opens the app): the
    exchange URL under ``protocols.vcapi``."""
    request = {"credentialRequestOrigin": issuer(), "protocols": {"vcapi": exchange_url(code)}}
    return f"{LCW_REQUEST}?request={quote(json.dumps(request, separators=(',', ':')), safe='')}"
