"""django-allauth, adapted: failed password logins are limited by ``credstack.ratelimit`` (decision 0030).

allauth's own ``login_failed`` limit is ``10/m/ip,5/5m/key``: behind a proxy every user shares one address,
so ten failures by anyone refuse everyone's correct password, and five failures for an account lock its owner
out. Here failures count per client (its real address, through ``CREDSTACK_TRUSTED_PROXIES``), per account
*and* client, and per account from every client with a ceiling one client cannot reach on its own: a
stranger locks only themself out. Only failures count; a correct password rolls nothing back.
"""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.http import HttpRequest
from django.utils.translation import gettext

from credstack import ratelimit
from credstack.sso import queries as sso_queries

# failures from one client, any accounts: that client waits
FAILURES_PER_CLIENT = ratelimit.Limit("login-failures-per-client", 20, 600)
# failures for one account from one client: that client waits for that account
FAILURES_PER_ACCOUNT_AND_CLIENT = ratelimit.Limit("login-failures-per-account-and-client", 5, 300)
# failures for one account from every client (distributed guessing): above what one client can reach in
# the window (5 per 5 minutes = 60 an hour), so a single stranger cannot lock the owner out
FAILURES_PER_ACCOUNT = ratelimit.Limit("login-failures-per-account", 100, 3600)


def _login(credentials: dict[str, Any]) -> str:
    return str(credentials.get("email") or credentials.get("username") or "").strip().lower()


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """allauth's emails greet with "Hello," and sign with the site's address (templates in
        ``accounts/templates/account/email/``), not "Hello from 127.0.0.1:8811" and a username."""
        context = {**context, "base_url": settings.CREDSTACK_BASE_URL, "email": email}
        super().send_mail(template_prefix, email, context)

    def get_client_ip(self, request: HttpRequest) -> str:
        """The client's address for allauth's other limits (sign-up, password reset): through trusted
        proxies only, like every limit of credstack."""
        return ratelimit.client_ip(request) or super().get_client_ip(request)

    def _limits(self, request: HttpRequest, credentials: dict[str, Any]):
        client = ratelimit.client_key(request)
        login = _login(credentials)
        pairs = [(FAILURES_PER_CLIENT, client)]
        if login:
            pairs.append((FAILURES_PER_ACCOUNT_AND_CLIENT, f"{login}|{client}" if client else None))
            pairs.append((FAILURES_PER_ACCOUNT, login))
        return pairs

    def pre_authenticate(self, request: HttpRequest, **credentials: Any) -> None:
        refuse_when_sso_required(_login(credentials))
        for limit, key in self._limits(request, credentials):
            try:
                ratelimit.check(limit, key)
            except ratelimit.Limited as exc:
                raise forms.ValidationError(
                    _too_many(limit) % {"wait": exc.wait},
                    code="too_many_login_attempts",
                ) from None

    def authentication_failed(self, request: HttpRequest, **credentials: Any) -> None:
        for limit, key in self._limits(request, credentials):
            try:
                ratelimit.hit(limit, key)
            except ratelimit.Limited:
                pass  # already at the limit: the next attempt is refused

    def _delete_login_attempts_cached_email(self, request: HttpRequest, **credentials: Any) -> None:
        """A password reset (proof of the mailbox) clears the account's failures."""
        login = _login(credentials)
        if login:
            ratelimit.reset(FAILURES_PER_ACCOUNT, login)
            client = ratelimit.client_key(request)
            if client:
                ratelimit.reset(FAILURES_PER_ACCOUNT_AND_CLIENT, f"{login}|{client}")


def _too_many(limit: ratelimit.Limit) -> str:
    """The refusal for ``limit``, with a ``%(wait)s`` placeholder ("in 4 minutes")."""
    if limit is FAILURES_PER_CLIENT:
        return gettext("Too many failed sign-ins from your network. Try again %(wait)s.")
    if limit is FAILURES_PER_ACCOUNT_AND_CLIENT:
        return gettext("Too many failed sign-ins for this account from your network. Try again %(wait)s.")
    return gettext("Too many failed sign-ins for this account. Try again %(wait)s.")


def refuse_when_sso_required(login: str) -> None:
    """A member of an organization that requires single sign-on signs in through its IdP, not with a
    password (its owners still can: the break-glass path, decision 0055)."""
    if not login:
        return
    User = get_user_model()
    user = (
        User.objects.filter(email__iexact=login).first()
        or User.objects.filter(username__iexact=login).first()
    )
    if user is None:
        return
    required = sso_queries.required_connections_for(user)
    if required:
        names = ", ".join(c.organization.name for c in required)
        raise forms.ValidationError(
            gettext(
                "%(names)s requires single sign-on: sign in with “Continue with single sign-on” below, "
                "not with a password."
            )
            % {"names": names},
            code="sso_required",
        )
