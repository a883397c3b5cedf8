"""Writes of single sign-on (decision 0055): an organization's identity provider, its domains and its
policy, and what a sign-in through it does (just-in-time membership, roles from the IdP's groups).

Every change writes an audit row in its own transaction. The provider's details are checked when they
are entered, not at the first sign-in: an OpenID issuer must answer with its configuration (through
``credstack.httpclient``), a SAML IdP's metadata must name its entity id, its sign-in URL and its signing
certificate (a metadata URL is fetched once, here, through the same client, and the values stored).
"""

from __future__ import annotations

import json
import re

from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount, SocialApp
from allauth.utils import generate_unique_username
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from onelogin.saml2.idp_metadata_parser import OneLogin_Saml2_IdPMetadataParser

from credstack import httpclient
from credstack.organizations import audit, dns, sealing
from credstack.organizations.actors import Actor
from credstack.organizations.models import ROLE_RANK, Membership, Organization, Role
from credstack.ui import blocked

from . import http
from .models import Connection, Domain

# addresses anyone can get: no organization may claim them (its IdP would sign in strangers' addresses)
PUBLIC_MAIL_DOMAINS = frozenset(
    {
        "gmail.com",
        "googlemail.com",
        "outlook.com",
        "hotmail.com",
        "live.com",
        "msn.com",
        "yahoo.com",
        "icloud.com",
        "me.com",
        "aol.com",
        "proton.me",
        "protonmail.com",
        "gmx.de",
        "gmx.net",
        "web.de",
        "mail.ru",
        "yandex.ru",
        "qq.com",
        "163.com",
    }
)
_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
# where the email address is in a SAML assertion (the first one present wins), besides allauth's own names
SAML_EMAIL_ATTRIBUTES = [
    "email",
    "mail",
    "emailAddress",
    "urn:oid:0.9.2342.19200300.100.1.3",
    "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress",
]
MAPPABLE_ROLES = (Role.VIEWER, Role.ISSUER, Role.ADMIN)  # the IdP never makes an owner


# an OpenID client secret is sealed at rest (AES-GCM under the deployment's secret): allauth's column holds
# 191 characters, which a sealed secret of this length fits
MAX_SECRET = 100


def secret_context(client_id: str) -> str:
    return f"sso:client-secret:{client_id}"


class SsoRefused(Exception):
    """A sign-in through an IdP that credstack refuses; the message says why, to the person."""


def clean_domains(organization: Organization, domains: list[str]) -> list[str]:
    cleaned: list[str] = []
    for raw in domains:
        domain = raw.strip().lower().lstrip("@").rstrip(".")
        if not domain:
            continue
        if not _DOMAIN.match(domain):
            raise ValidationError({"domains": _("“%(domain)s” is not an email domain.") % {"domain": raw}})
        if domain in PUBLIC_MAIL_DOMAINS:
            raise ValidationError(
                {
                    "domains": _("%(domain)s is a public mail service: anyone can have an address there.")
                    % {"domain": domain}
                }
            )
        taken = (
            Domain.objects.filter(domain=domain, verified_at__isnull=False)
            .exclude(connection__organization=organization)
            .exists()
        )
        if taken:
            raise ValidationError(
                {
                    "domains": _("%(domain)s signs in through another organization's identity provider.")
                    % {"domain": domain}
                }
            )
        if domain not in cleaned:
            cleaned.append(domain)
    if not cleaned:
        raise ValidationError({"domains": _("Give at least one email domain (like example.edu).")})
    return cleaned


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


def parse_role_map(text: str) -> dict[str, str]:
    """``group = role`` lines (or ``group: role``) into a table; a role that cannot be mapped is refused."""
    table: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        sep = "=" if "=" in line else ":"
        group, _sep, role = line.rpartition(sep)
        group, role = group.strip(), role.strip().lower()
        if not group or role not in MAPPABLE_ROLES:
            raise ValidationError(
                {
                    "role_map": _(
                        "Line %(number)s: write “group = role”, the role one of viewer, issuer or admin."
                    )
                    % {"number": number}
                }
            )
        table[group] = role
    return table


@transaction.atomic
def set_policy(
    connection: Connection,
    *,
    default_role: str,
    groups_attribute: str,
    role_map: dict[str, str],
    required: bool,
    actor: Actor,
) -> Connection:
    if default_role not in MAPPABLE_ROLES:
        raise ValidationError({"default_role": _("The default role is viewer, issuer or admin.")})
    bad = [group for group, role in role_map.items() if role not in MAPPABLE_ROLES]
    if bad:
        raise ValidationError({"role_map": _("Groups map to viewer, issuer or admin only.")})
    groups_attribute = groups_attribute.strip()
    if role_map and not groups_attribute:
        raise ValidationError({"groups_attribute": _("Name the claim or attribute that lists the groups.")})
    connection.default_role = default_role
    connection.groups_attribute = groups_attribute
    connection.role_map = role_map
    connection.required = required
    connection.save(update_fields=["default_role", "groups_attribute", "role_map", "required", "updated_at"])
    audit.record(
        connection.organization,
        actor,
        "sso.policy_changed",
        target=connection.protocol,
        detail=(
            f"default role {default_role}; groups from {groups_attribute or '-'}: "
            f"{json.dumps(role_map, sort_keys=True)}; required {'yes' if required else 'no'}"
        ),
    )
    return connection


@transaction.atomic
def remove_connection(connection: Connection, *, actor: Actor) -> None:
    """Stop signing in through the IdP (its members keep their memberships; they sign in otherwise)."""
    organization, app = connection.organization, connection.app
    audit.record(organization, actor, "sso.removed", target=connection.protocol, detail=app.name)
    SocialAccount.objects.filter(provider=app.provider_id or app.provider).delete()
    connection.delete()
    app.delete()


def mapped_role(connection: Connection, groups: list[str]) -> str | None:
    """The highest role the person's groups map to, or None when none maps."""
    roles = [connection.role_map[g] for g in groups if g in connection.role_map]
    return max(roles, key=lambda r: ROLE_RANK[r]) if roles else None


@transaction.atomic
def sign_in_member(connection: Connection, *, email: str, name: str, groups: list[str]):
    """What a workspace sign-in through the organization's IdP does, before allauth signs the user in:
    the user of the address (created just in time, its address verified: the IdP speaks for its
    domains), a membership (the mapped role or the default one), and the mapped role on later sign-ins.
    An owner's role is never changed by the IdP. An address that already has a credstack account but is
    not a member is refused: a new IdP does not take over someone's existing account."""
    organization = connection.organization
    User = get_user_model()
    actor = Actor.system(f"single sign-on ({connection.get_protocol_display()})")
    address = EmailAddress.objects.filter(email__iexact=email).select_related("user").first()
    user = address.user if address else User.objects.filter(email__iexact=email).first()
    role = mapped_role(connection, groups)
    if user is None:
        user = User(username=generate_unique_username([email.split("@")[0], "user"]), email=email)
        if name:
            first, _sp, last = name.partition(" ")
            user.first_name, user.last_name = first[:150], last[:150]
        user.set_unusable_password()
        user.save()
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
        membership = Membership.objects.create(
            organization=organization, user=user, role=role or connection.default_role
        )
        audit.record(
            organization,
            actor,
            "sso.member_created",
            target=email,
            detail=f"role {membership.role}"
            + (f" from groups {', '.join(groups)}" if role else " (default)"),
        )
        return user
    current = Membership.objects.filter(organization=organization, user=user).first()
    if current is None:
        raise SsoRefused(
            _(
                "%(email)s already has a credstack account that is not a member of %(org)s. Ask an admin "
                "of %(org)s to invite it, then sign in through single sign-on again."
            )
            % {"email": email, "org": organization.name}
        )
    EmailAddress.objects.filter(user=user, email__iexact=email, verified=False).update(verified=True)
    if role and current.role != Role.OWNER and current.role != role:
        before = current.role
        current.role = role
        current.save(update_fields=["role"])
        audit.record(
            organization,
            actor,
            "sso.role_mapped",
            target=email,
            detail=f"{before} -> {role} from groups {', '.join(groups)}",
        )
    return user


def verify_domain(domain: Domain, *, actor: Actor) -> Domain:
    """Check the domain's DNS TXT record (``domain.record_name`` must hold ``domain.record_value``), through
    the project's resolver (``organizations.dns.resolve_txt``, decision 0062). Found: the domain is
    verified and routes sign-ins to the organization's IdP. Not found, DNS not answering, or the domain
    verified by another organization: ValidationError saying which, and nothing changes."""
    organization = domain.connection.organization
    try:
        records = dns.resolve_txt(domain.record_name)
    except httpclient.BlockedTarget as exc:
        found, message = (
            False,
            _("DNS did not answer for %(name)s (%(error)s). Try again later.")
            % {
                "name": domain.record_name,
                "error": blocked.reason(exc),
            },
        )
    else:
        found = domain.record_value in [r.strip() for r in records]
        if found:
            message = _("The TXT record of %(name)s proves that %(org)s holds %(domain)s.") % {
                "name": domain.record_name,
                "org": organization.name,
                "domain": domain.domain,
            }
        elif records:
            message = _("%(name)s has TXT records, but not this one: %(expected)s") % {
                "name": domain.record_name,
                "expected": domain.record_value,
            }
        else:
            message = _("%(name)s has no TXT record yet. Add the record below; DNS can take an hour.") % {
                "name": domain.record_name
            }
    if found:
        taken = (
            Domain.objects.filter(domain=domain.domain, verified_at__isnull=False)
            .exclude(connection__organization=organization)
            .exists()
        )
        if taken:
            found, message = (
                False,
                _("%(domain)s is already verified by another organization.") % {"domain": domain.domain},
            )
    if not found:
        raise ValidationError({"domains": message})
    try:
        with transaction.atomic():
            row = Domain.objects.select_for_update().get(pk=domain.pk)
            if row.verified_at is None:
                row.verified_at = timezone.now()
                row.save(update_fields=["verified_at"])
                audit.record(organization, actor, "sso.domain_verified", target=row.domain, detail=message)
    except IntegrityError:  # another organization verified it between the check and the save
        raise ValidationError(
            {
                "domains": _("%(domain)s is already verified by another organization.")
                % {"domain": domain.domain}
            }
        ) from None
    return row
