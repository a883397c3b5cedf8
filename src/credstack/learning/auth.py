"""The course player's sign-in is the portal's (decision 0023): one code, one session, both sites.

Views only use ``current_learner(request)``, ``login_url(next)`` and ``sign_in`` / ``sign_out``; these delegate
to the portal's account, its one-time codes (per-address and per-client limits, purpose-bound HMAC) and its
session. The learner is the account's course profile (``actions.learner_for_account``).
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlencode

from django.urls import reverse

from credstack.portal import actions as portal
from credstack.portal import session

from .actions import consolidate, learner_for_account
from .models import Learner

# The player's session key before 0023 (a learner's row id): read once, translated into the portal's
# session (as a launch-level sign-in, since it may have come from an LMS), then deleted. Dropped in step 5.
SESSION_KEY = "credstack_learner_id"


class SignInError(Exception):
    pass


def send_code(email: str, *, ip: str | None = None, org=None) -> None:
    """Email a 6-digit sign-in code (the portal's). Raises ValidationError for a bad address and
    SignInError when rate-limited (per address, per client)."""
    try:
        portal.request_code(email, ip=ip, org=org)
    except portal.CodeError as exc:
        raise SignInError(str(exc)) from None


def check_code(email: str, code: str, *, ip: str | None = None) -> Learner:
    """Use up the code; returns the learner of the account holding the address. Wrong guesses count per
    address and client ``ip`` (the portal's limits)."""
    try:
        account = portal.sign_in(email, code, ip=ip)
    except portal.CodeError as exc:
        raise SignInError(str(exc)) from None
    return learner_for_account(account)


def sign_in(
    request, learner: Learner, *, assurance: str = session.CODE, organizations: Iterable[int] | None = ()
) -> None:
    """Sign the learner's account in to both sites. An LMS launch passes ``assurance="lti"`` and the
    platform's organization: enough for that organization's courses in the player; the portfolio, exports,
    privacy and deletion, and other organizations' courses, then ask for a code. (``None`` reaches every
    organization: only for a session translated from before decision 0023.)"""
    account = learner.account
    if account is None:
        verified_by = "code" if assurance == session.CODE else "lti"
        account = portal.account_for_email(learner.email, verified_by=verified_by)
        consolidate(account)  # links this learner (or the one it belongs with) to the account
    request.session.pop(SESSION_KEY, None)
    session.start(request, account, assurance, organizations=organizations)


def sign_out(request) -> None:
    session.end(request)


def current_learner(request, organization=None) -> Learner | None:
    """The signed-in learner; with ``organization``, only if the sign-in reaches it (an LMS launch
    reaches its own organization's courses only)."""
    legacy = request.session.get(SESSION_KEY) if hasattr(request, "session") else None
    if legacy is not None:
        request.session.pop(SESSION_KEY, None)
        learner = Learner.objects.filter(pk=legacy).first() if str(legacy).isdigit() else None
        if learner is not None:  # the player's session before 0023 reached every course: it still does
            sign_in(request, learner, assurance=session.LTI, organizations=None)
    if organization is not None and not session.reaches(request, organization.pk):
        return None
    account = session.account(request, minimum=session.LTI)
    return learner_for_account(account) if account is not None else None


def reached_organizations(request) -> list[int] | None:
    """The organizations (ids) an LMS sign-in reaches; None: every one (a code sign-in)."""
    return session.organizations(request)


def login_url(next_url: str, org=None) -> str:
    """The player's sign-in page (the portal's codes and session), coming back to ``next_url``; the code
    email in ``org``'s colours when given."""
    query = {"next": next_url}
    if org is not None:
        query["org"] = org.slug
    return f"{reverse('learning:login')}?{urlencode(query)}"
