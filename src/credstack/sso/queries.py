from __future__ import annotations

from credstack.organizations.models import Membership, Role

from .models import Connection, Domain


def domain_of(email: str) -> str:
    return email.strip().rpartition("@")[2].lower().rstrip(".")


def connection_for_email(email: str) -> Connection | None:
    """The identity provider that signs this address in (by its domain, verified by DNS), or None. An address with a
    control character (a NUL, which PostgreSQL refuses in any text) has no provider: the sign-in form
    then refuses it with its own message."""
    if "@" not in email or any(ord(c) < 32 or c == "\x7f" for c in email):
        return None
    row = (
        Domain.objects.filter(domain=domain_of(email), verified_at__isnull=False)
        .select_related("connection__organization", "connection__app")
        .first()
    )
    return row.connection if row else None


def unverified_claim(email: str) -> Domain | None:
    """A claim on the address's domain whose DNS proof is missing (decision 0062): it routes no sign-in,
    and the sign-in page says so."""
    if "@" not in email or any(ord(c) < 32 or c == "\x7f" for c in email):
        return None
    return (
        Domain.objects.filter(domain=domain_of(email), verified_at__isnull=True)
        .select_related("connection__organization")
        .first()
    )


def verified_domains(connection: Connection) -> list[str]:
    return list(connection.domains.filter(verified_at__isnull=False).values_list("domain", flat=True))


def connection_for_app(app) -> Connection | None:
    return Connection.objects.filter(app=app).select_related("organization", "app").first()


def login_url(connection: Connection) -> str:
    """Where a sign-in through this IdP starts (allauth's provider view)."""
    if connection.protocol == Connection.Protocol.SAML:
        return f"/accounts/saml/{connection.app.client_id}/login/"
    return f"/accounts/oidc/{connection.app.provider_id}/login/"


def required_connections_for(user) -> list[Connection]:
    """The IdPs this user must sign in through: of the organizations that require SSO where the user is a
    member but not an owner, and of the organization whose domain the user's address is in (not an owner
    there). Owners keep their password: the break-glass path (decision 0055)."""
    found: list[Connection] = []
    rows = Membership.objects.filter(user=user, organization__sso__required=True).select_related(
        "organization__sso__app", "organization__sso__organization"
    )
    owner_of = set()
    for membership in rows:
        if membership.role == Role.OWNER:
            owner_of.add(membership.organization_id)
        else:
            found.append(membership.organization.sso)
    email = getattr(user, "email", "") or ""
    connection = connection_for_email(email) if email else None
    if (
        connection is not None
        and connection.required
        and connection.organization_id not in owner_of
        and all(c.pk != connection.pk for c in found)
    ):
        found.append(connection)
    return found


def groups_from(connection: Connection, extra_data: dict) -> list[str]:
    """The person's groups from the IdP's answer: an OpenID claim (userinfo, else the ID token) or a SAML
    attribute (a list of values); one value or a list."""
    name = connection.groups_attribute
    if not name:
        return []
    if connection.protocol == Connection.Protocol.OIDC:
        value = (extra_data.get("userinfo") or {}).get(name)
        if value is None:
            value = (extra_data.get("id_token") or {}).get(name)
    else:
        value = extra_data.get(name)
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value]


PORTAL_NEXT = "sso_portal_next"


def start(request, connection: Connection, next_url: str, *, portal: bool = False):
    """Send the person to the organization's IdP (allauth's provider redirect). ``portal``: a learner
    signing in to the portal and the course player, not to the workspace; back at credstack, the sign-in
    starts a portal session and goes to ``next_url`` (decision 0055)."""
    if portal:
        request.session[PORTAL_NEXT] = next_url
    else:
        request.session.pop(PORTAL_NEXT, None)
    provider = connection.app.get_provider(request)
    return provider.redirect(request, "login", next_url=next_url)
