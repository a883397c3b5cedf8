"""Single sign-on pages (decision 0055): the sign-in discovery (an address in, its organization's IdP out)
and the workspace page where an organization's admin connects its IdP and sets the policy."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from credstack.organizations.actors import Actor
from credstack.organizations.permissions import Role, member_required
from credstack.sso import actions, queries
from credstack.sso.models import Connection


@require_POST
def start(request):
    """The sign-in page's “Continue with single sign-on”: the address's organization's IdP, or back to the
    sign-in page saying there is none."""
    email = request.POST.get("email", "").strip()
    nxt = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}) or not nxt.startswith(
        "/"
    ):
        nxt = ""
    connection = queries.connection_for_email(email)
    if connection is None:
        claim = queries.unverified_claim(email)
        if "@" not in email:
            messages.error(request, _("Enter your work email address to sign in with single sign-on."))
        elif claim is not None:
            messages.error(
                request,
                _(
                    "%(org)s has asked to sign in %(domain)s addresses through single sign-on, but has not "
                    "proved yet that it holds the domain (a DNS record). Until it does, use your password."
                )
                % {"org": claim.connection.organization.name, "domain": claim.domain},
            )
        else:
            messages.error(
                request,
                _("No organization signs in %(domain)s addresses through single sign-on: use your password.")
                % {"domain": queries.domain_of(email)},
            )
        query = {"email": email} | ({"next": nxt} if nxt else {})
        return redirect(f"{reverse('account_login')}?{urlencode(query)}")
    return queries.start(request, connection, nxt or "/w/")


def _sp_values(request, connection: Connection | None, org) -> list[dict]:
    base = settings.CREDSTACK_BASE_URL
    return [
        {
            "key": "redirect",
            "label": _("OpenID Connect redirect URI"),
            "value": f"{base}/accounts/oidc/{org.slug}/login/callback/",
        },
        {
            "key": "acs",
            "label": _("SAML ACS URL (assertion consumer service)"),
            "value": f"{base}/accounts/saml/{org.slug}/acs/",
        },
        {
            "key": "entity",
            "label": _("SAML SP entity id (metadata URL)"),
            "value": f"{base}/accounts/saml/{org.slug}/metadata/",
        },
    ]


@member_required(Role.ADMIN)
def settings_page(request, org_slug: str):
    org = request.organization
    connection = Connection.objects.filter(organization=org).select_related("app").first()
    errors: dict[str, str] = {}
    posted: dict[str, str] = {}
    form = request.POST.get("form", "")
    actor = Actor.for_user(request.user)
    if request.method == "POST":
        posted = {k: v for k, v in request.POST.items() if k != "csrfmiddlewaretoken"}
        domains = posted.get("domains", "").replace(",", "\n").splitlines()
        try:
            if form == "oidc":
                actions.configure_oidc(
                    org,
                    issuer=posted.get("issuer", ""),
                    client_id=posted.get("client_id", ""),
                    secret=posted.get("secret", ""),
                    domains=domains,
                    name=posted.get("name", ""),
                    actor=actor,
                )
                messages.success(request, _("OpenID Connect sign-in is on for %(org)s.") % {"org": org.name})
            elif form == "saml":
                actions.configure_saml(
                    org,
                    metadata_url=posted.get("metadata_url", ""),
                    metadata_xml=posted.get("metadata_xml", ""),
                    domains=domains,
                    name=posted.get("name", ""),
                    actor=actor,
                )
                messages.success(request, _("SAML sign-in is on for %(org)s.") % {"org": org.name})
            elif form == "verify" and connection is not None:
                domain = connection.domains.filter(domain=posted.get("domain", "")).first()
                if domain is None:
                    raise ValidationError({"domains": _("Choose one of your email domains to check.")})
                actions.verify_domain(domain, actor=actor)
                messages.success(
                    request,
                    _("%(domain)s is verified: its addresses now sign in through your identity provider.")
                    % {"domain": domain.domain},
                )
            elif form == "policy" and connection is not None:
                actions.set_policy(
                    connection,
                    default_role=posted.get("default_role", ""),
                    groups_attribute=posted.get("groups_attribute", ""),
                    role_map=actions.parse_role_map(posted.get("role_map", "")),
                    required=posted.get("required") == "on",
                    actor=actor,
                )
                messages.success(request, _("The single sign-on policy is saved."))
            else:
                errors = {"form": _("Nothing to save.")}
        except ValidationError as exc:
            errors = {k: "; ".join(v) for k, v in exc.message_dict.items()}
        if not errors:
            return redirect("sso-settings", org.slug)
    domain_rows = list(connection.domains.order_by("domain")) if connection else []
    domains_text = "\n".join(d.domain for d in domain_rows)
    role_map_text = "\n".join(f"{g} = {r}" for g, r in (connection.role_map if connection else {}).items())
    return render(
        request,
        "accounts/sso_settings.html",
        {
            "connection": connection,
            "idp": (connection.app.settings.get("idp") or {}) if connection else {},
            "issuer": (connection.app.settings.get("server_url", "")) if connection else "",
            "domains_text": domains_text,
            "domain_rows": domain_rows,
            "role_map_text": role_map_text,
            "sp_values": _sp_values(request, connection, org),
            "roles": actions.MAPPABLE_ROLES,
            "errors": errors,
            "form": form,
            "posted": posted,
        },
        status=422 if errors else 200,
    )


@member_required(Role.ADMIN)
@require_POST
def remove(request, org_slug: str):
    connection = Connection.objects.filter(organization=request.organization).first()
    if connection is not None:
        actions.remove_connection(connection, actor=Actor.for_user(request.user))
        messages.success(request, _("Single sign-on is off: members sign in with their password."))
    return redirect("sso-settings", org_slug)
