"""The documents of OpenID for Verifiable Credential Issuance 1.0 that credstack serves (decision 0053):
issuer metadata, authorization server metadata and the credential offer. No rows, no writes."""

from __future__ import annotations

import json
from urllib.parse import quote

from django.conf import settings

from credstack.vc import ob3

PRE_AUTHORIZED_GRANT = "urn:ietf:params:oauth:grant-type:pre-authorized_code"
CONFIGURATION_ID = "OpenBadgeCredential_ldp_vc"
OFFER_SCHEME = "openid-credential-offer://"


def issuer() -> str:
    """The Credential Issuer Identifier: the deployment's base URL (its metadata is at the root's
    ``/.well-known/openid-credential-issuer``)."""
    return settings.CREDSTACK_BASE_URL.rstrip("/")


def endpoint(name: str) -> str:
    return f"{issuer()}/oid4vci/{name}"


def issuer_metadata() -> dict:
    """OpenID4VCI 1.0 §12.2: one configuration, an Open Badges 3.0 credential as ``ldp_vc`` with an
    ``eddsa-rdfc-2022`` Data Integrity proof. No ``cryptographic_binding_methods_supported`` and no
    ``proof_types_supported``: the credential is not bound to a wallet key (decision 0053)."""
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
            }
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
    """The credential offer (OpenID4VCI 1.0 §4.1.1) of one credential with its pre-authorized code."""
    return {
        "credential_issuer": issuer(),
        "credential_configuration_ids": [CONFIGURATION_ID],
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
