"""Writes of single sign-on (decision 0055): an organization's identity provider, its domains and its
policy, and what a sign-in through it does (just-in-time membership, roles from the IdP's groups).

Every change writes an audit row in its own transaction. The provider's details are checked when they
are entered, not at the first sign-in: an OpenID issuer must answer with its configuration (through
``credstack.httpclient``), a SAML IdP's metadata must name its entity id, its sign-in URL and its signing
certificate (a metadata URL is fetched once, here, through the same client, and the values stored).

One module per concern; import the names from here (``credstack.sso.actions``): ``connections`` (the
identity provider), ``domains`` (claimed and proven domains), ``members`` (roles, policy, sign-in).
"""

from .connections import (
    MAX_SECRET,
    SAML_EMAIL_ATTRIBUTES,
    configure_oidc,
    configure_saml,
    oidc_configuration,
    remove_connection,
    saml_idp_settings,
    secret_context,
)
from .domains import (
    PUBLIC_MAIL_DOMAINS,
    clean_domains,
    verify_domain,
)
from .members import (
    MAPPABLE_ROLES,
    SsoRefused,
    mapped_role,
    parse_role_map,
    set_policy,
    sign_in_member,
)

__all__ = [
    "MAPPABLE_ROLES",
    "MAX_SECRET",
    "PUBLIC_MAIL_DOMAINS",
    "SAML_EMAIL_ATTRIBUTES",
    "SsoRefused",
    "clean_domains",
    "configure_oidc",
    "configure_saml",
    "mapped_role",
    "oidc_configuration",
    "parse_role_map",
    "remove_connection",
    "saml_idp_settings",
    "secret_context",
    "set_policy",
    "sign_in_member",
    "verify_domain",
]
