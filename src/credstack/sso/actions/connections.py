"""An organization's identity provider: an OpenID issuer or a SAML IdP, checked when entered (its
configuration fetched through ``credstack.httpclient``), stored with its secret sealed; removed."""

from __future__ import annotations

import json

from allauth.socialaccount.models import SocialAccount, SocialApp
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from onelogin.saml2.idp_metadata_parser import OneLogin_Saml2_IdPMetadataParser

from credstack import httpclient
from credstack.organizations import audit, sealing
from credstack.organizations.actors import Actor
from credstack.organizations.models import Organization

from .. import http
from ..models import Connection, Domain
from .domains import clean_domains

# where the email address is in a SAML assertion (the first one present wins), besides allauth's own names
SAML_EMAIL_ATTRIBUTES = [
    "email",
    "mail",
    "emailAddress",
    "urn:oid:0.9.2342.19200300.100.1.3",
    "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress",
]


# an OpenID client secret is sealed at rest (AES-GCM under the deployment's secret): allauth's column holds
# 191 characters, which a sealed secret of this length fits
MAX_SECRET = 100


def secret_context(client_id: str) -> str:
    return f"sso:client-secret:{client_id}"


def _fetch(url: str, what: str, field: str) -> bytes:
    try:
        answer = httpclient.request(
            "GET", url, policy=http.address_policy(), max_redirects=3, user_agent="credstack-sso"
        )
    except (httpclient.HTTPClientError, httpclient.BlockedTarget) as exc:
        raise ValidationError(
            {field: _("%(what)s could not be fetched: %(error)s") % {"what": what, "error": exc}}
        ) from None
    if answer.status != 200:
        raise ValidationError(
            {field: _("%(what)s answered HTTP %(status)s.") % {"what": what, "status": answer.status}}
        )
    return answer.body


def oidc_configuration(issuer: str) -> dict:
    """The issuer's discovery document, checked: it names the same issuer and the endpoints a sign-in needs."""
    url = issuer.rstrip("/") + "/.well-known/openid-configuration"
    body = _fetch(url, _("The issuer's configuration (%(url)s)") % {"url": url}, "issuer")
    try:
        config = json.loads(body)
    except ValueError:
        raise ValidationError({"issuer": _("%(url)s is not JSON.") % {"url": url}}) from None
    if not isinstance(config, dict) or str(config.get("issuer", "")).rstrip("/") != issuer.rstrip("/"):
        raise ValidationError(
            {
                "issuer": _("%(url)s names another issuer: %(other)s.")
                % {"url": url, "other": config.get("issuer") if isinstance(config, dict) else "?"}
            }
        )
    missing = [k for k in ("authorization_endpoint", "token_endpoint", "jwks_uri") if not config.get(k)]
    if missing:
        raise ValidationError(
            {"issuer": _("The issuer's configuration lacks %(keys)s.") % {"keys": ", ".join(missing)}}
        )
    return config


def saml_idp_settings(metadata_xml: str) -> dict:
    """The IdP's entity id, sign-in URL (HTTP-Redirect binding) and signing certificate from its metadata."""
    try:
        parsed = OneLogin_Saml2_IdPMetadataParser.parse(metadata_xml)
    except Exception as exc:  # the parser raises many kinds for bad XML
        raise ValidationError(
            {"metadata": _("The metadata is not SAML metadata: %(error)s") % {"error": exc}}
        ) from None
    idp = parsed.get("idp") or {}
    entity_id = idp.get("entityId")
    sso_url = (idp.get("singleSignOnService") or {}).get("url")
    cert = idp.get("x509cert") or ((idp.get("x509certMulti") or {}).get("signing") or [None])[0]
    if not entity_id or not sso_url:
        raise ValidationError(
            {"metadata": _("The metadata names no IdP entity id or no sign-in URL (HTTP-Redirect binding).")}
        )
    if not cert:
        raise ValidationError({"metadata": _("The metadata has no signing certificate.")})
    return {"entity_id": entity_id, "sso_url": sso_url, "x509cert": cert}


def _save(
    organization: Organization,
    protocol: str,
    *,
    name: str,
    client_id: str,
    secret: str,
    settings: dict,
    domains: list[str],
    actor: Actor,
    detail: str,
) -> Connection:
    existing = Connection.objects.filter(organization=organization).select_related("app").first()
    app = existing.app if existing else SocialApp()
    app.provider = "openid_connect" if protocol == Connection.Protocol.OIDC else "saml"
    app.provider_id = organization.slug
    app.name = (name or organization.name)[:40]
    app.client_id = client_id
    app.secret = secret
    app.settings = settings
    app.save()
    if existing:
        connection = existing
        connection.protocol = protocol
        connection.save(update_fields=["protocol", "updated_at"])
    else:
        connection = Connection.objects.create(organization=organization, protocol=protocol, app=app)
    connection.domains.exclude(domain__in=domains).delete()
    for domain in domains:  # a domain kept keeps its token and its proof
        Domain.objects.get_or_create(connection=connection, domain=domain)
    audit.record(organization, actor, "sso.configured", target=protocol, detail=detail)
    return connection


@transaction.atomic
def configure_oidc(
    organization: Organization,
    *,
    issuer: str,
    client_id: str,
    secret: str,
    domains: list[str],
    name: str = "",
    actor: Actor,
) -> Connection:
    """Sign the organization's domains in through an OpenID Connect provider (authorization code + PKCE)."""
    issuer, client_id, secret = issuer.strip(), client_id.strip(), secret.strip()
    if not issuer.startswith(("https://", "http://")):
        raise ValidationError({"issuer": _("The issuer is a URL like https://login.example.edu.")})
    if not client_id:
        raise ValidationError({"client_id": _("Give the client id the provider gave credstack.")})
    existing = Connection.objects.filter(organization=organization, protocol=Connection.Protocol.OIDC).first()
    if len(secret) > MAX_SECRET:
        raise ValidationError(
            {"secret": _("The client secret is longer than %(n)s characters.") % {"n": MAX_SECRET}}
        )
    if secret:
        sealed = sealing.seal_text(secret, secret_context(client_id))
    elif existing is not None and existing.app.client_id == client_id:
        sealed = existing.app.secret  # left empty: keep the secret entered before
    else:
        raise ValidationError({"secret": _("Give the client secret the provider gave credstack.")})
    cleaned = clean_domains(organization, domains)
    oidc_configuration(issuer)
    settings = {
        "server_url": issuer,
        "scope": ["openid", "profile", "email", "groups"],
        "oauth_pkce_enabled": True,
    }
    return _save(
        organization,
        Connection.Protocol.OIDC,
        name=name,
        client_id=client_id,
        secret=sealed,
        settings=settings,
        domains=cleaned,
        actor=actor,
        detail=f"OpenID Connect: issuer {issuer}, client id {client_id}, domains {', '.join(cleaned)}",
    )


@transaction.atomic
def configure_saml(
    organization: Organization,
    *,
    metadata_url: str = "",
    metadata_xml: str = "",
    domains: list[str],
    name: str = "",
    actor: Actor,
) -> Connection:
    """Sign the organization's domains in through a SAML 2.0 IdP, from its metadata (a URL or the XML)."""
    metadata_url, metadata_xml = metadata_url.strip(), metadata_xml.strip()
    if not metadata_url and not metadata_xml:
        raise ValidationError({"metadata": _("Give the IdP's metadata URL or paste its metadata XML.")})
    cleaned = clean_domains(organization, domains)
    if metadata_url:
        metadata_xml = _fetch(metadata_url, _("The metadata URL"), "metadata").decode("utf-8", "replace")
    idp = saml_idp_settings(metadata_xml)
    settings = {
        "idp": idp,
        "attribute_mapping": {"email": SAML_EMAIL_ATTRIBUTES},
        "use_nameid_for_email": False,
        # strict checks (destination, audience, times, InResponseTo); no unsolicited responses; a deployment
        # on a one-label host name (http://localhost, an intranet name) is a valid SP too
        "advanced": {"strict": True, "reject_idp_initiated_sso": True, "allow_single_label_domains": True},
    }
    return _save(
        organization,
        Connection.Protocol.SAML,
        name=name,
        client_id=organization.slug,
        secret="",
        settings=settings,
        domains=cleaned,
        actor=actor,
        detail=f"SAML: IdP {idp['entity_id']}, domains {', '.join(cleaned)}",
    )


@transaction.atomic
def remove_connection(connection: Connection, *, actor: Actor) -> None:
    """Stop signing in through the IdP (its members keep their memberships; they sign in otherwise)."""
    organization, app = connection.organization, connection.app
    audit.record(organization, actor, "sso.removed", target=connection.protocol, detail=app.name)
    SocialAccount.objects.filter(provider=app.provider_id or app.provider).delete()
    connection.delete()
    app.delete()
