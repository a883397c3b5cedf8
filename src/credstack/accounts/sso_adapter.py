"""django-allauth's social-account side, adapted for single sign-on per organization (decision 0055).

Before allauth signs anyone in through an organization's IdP: the address the IdP asserts must be in that
organization's domains (an IdP speaks for its own organization only); a learner who came from the portal
gets a portal session instead of a workspace one; a person of the workspace gets their membership (just
in time, with the role their IdP groups map to). allauth's calls to the IdP go through
``credstack.httpclient``.
"""

from __future__ import annotations

from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from credstack.organizations import sealing
from credstack.portal import actions as portal_actions
from credstack.portal import session as portal_session
from credstack.sso import actions as sso_actions
from credstack.sso import http as sso_http
from credstack.sso import queries as sso_queries
from credstack.sso.models import Connection


def refuse(request, message: str):
    return ImmediateHttpResponse(
        render(request, "accounts/sso_refused.html", {"message": message}, status=403)
    )


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def list_apps(self, request, provider=None, client_id=None):
        """The organizations' apps, their OpenID client secret opened (sealed at rest; never saved open)."""
        apps = super().list_apps(request, provider=provider, client_id=client_id)
        for app in apps:
            if sealing.is_sealed_text(app.secret):
                app.secret = sealing.unseal_text(app.secret, sso_actions.secret_context(app.client_id))
        return apps

    def get_requests_session(self):
        return sso_http.session()

    def is_open_for_signup(self, request, sociallogin) -> bool:
        return True  # the organization's IdP vouches; membership is made in pre_social_login

    def pre_social_login(self, request, sociallogin) -> None:
        connection = (
            Connection.objects.filter(app__provider_id=sociallogin.account.provider)
            .select_related("organization", "app")
            .first()
        )
        portal_next = request.session.pop(sso_queries.PORTAL_NEXT, None)
        if connection is None:
            raise refuse(request, _("This identity provider is not connected to an organization any more."))
        org = connection.organization
        emails = [a.email for a in sociallogin.email_addresses if a.email]
        email = (emails[0] if emails else (sociallogin.user.email if sociallogin.user else "")).strip()
        if not email:
            raise refuse(
                request,
                _(
                    "The identity provider of %(org)s sent no email address: ask its administrators to release one."
                )
                % {"org": org.name},
            )
        domains = sso_queries.verified_domains(connection)  # proved by DNS (decision 0062)
        if sso_queries.domain_of(email) not in domains:
            raise refuse(
                request,
                _(
                    "The identity provider of %(org)s signed in %(email)s, an address outside its domains "
                    "(%(domains)s). Sign in through your own organization."
                )
                % {"org": org.name, "email": email, "domains": ", ".join(domains)},
            )
        if portal_next:
            account = portal_actions.account_for_email(email, verified_by=portal_session.SSO)
            portal_session.start(request, account, portal_session.SSO)
            raise ImmediateHttpResponse(redirect(portal_next))
        groups = sso_queries.groups_from(connection, sociallogin.account.extra_data or {})
        name = (
            (sociallogin.account.extra_data or {}).get("userinfo", {}).get("name", "")
            if connection.protocol == Connection.Protocol.OIDC
            else ""
        )
        try:
            user = sso_actions.sign_in_member(connection, email=email, name=name, groups=groups)
        except sso_actions.SsoRefused as exc:
            raise refuse(request, str(exc)) from None
        if sociallogin.is_existing:
            if sociallogin.user.pk != user.pk:
                raise refuse(
                    request, _("This identity provider account is linked to another credstack account.")
                )
            return
        sociallogin.connect(request, user)
