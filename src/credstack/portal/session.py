"""Who is signed in, and how sure we are of it (decision 0023).

One session for the portal (``/me``) and the course player (``/learn``): the session holds the account's
public id and an *assurance*: ``code`` (a one-time code sent to one of its addresses), ``sso`` (the
organization's identity provider, decision 0055) or ``lti`` (an LMS
launch: the LMS vouches for its own user's address, which is enough for the course player but not for the
portfolio, exports, privacy or deletion: those ask for a code first). An LMS vouches for its own
organization only: an ``lti`` sign-in reaches the courses of the organizations whose platforms launched it
(``organizations``), nobody else's (issue 13).
"""

from __future__ import annotations

from collections.abc import Iterable

from .models import Account

SESSION_KEY = "portal_account"
ASSURANCE_KEY = "portal_assurance"
LTI_ORGS_KEY = "portal_lti_organizations"
CODE = "code"
LTI = "lti"
# the organization's identity provider signed the person in (decision 0055): as sure as a code, since the
# IdP speaks for the addresses of its organization's domains
SSO = "sso"
_RANK = {LTI: 1, CODE: 2, SSO: 2}


def start(request, account: Account, assurance: str, *, organizations: Iterable[int] | None = ()) -> None:
    """Sign ``account`` in. A weaker sign-in of the same account keeps the stronger assurance. An ``lti``
    sign-in reaches the ``organizations`` (ids) whose platforms launched it: another launch of the same
    account adds its organization. ``None``: every organization (only a translated pre-0023 session)."""
    session = request.session
    same = session.get(SESSION_KEY) == account.public_id
    current = session.get(ASSURANCE_KEY, CODE)
    if same and _RANK.get(current, 0) >= _RANK[assurance]:
        reached = session.get(LTI_ORGS_KEY, [])
        if current == LTI and reached is not None and organizations is not None:
            session[LTI_ORGS_KEY] = list(reached) + [o for o in organizations if o not in reached]
        return
    session.cycle_key()
    session[SESSION_KEY] = account.public_id
    session[ASSURANCE_KEY] = assurance
    if assurance == LTI:
        session[LTI_ORGS_KEY] = None if organizations is None else list(dict.fromkeys(organizations))
    else:
        session.pop(LTI_ORGS_KEY, None)


def end(request) -> None:
    """Sign out of both sites (one session)."""
    request.session.flush()


def assurance(request) -> str | None:
    if not hasattr(request, "session") or not request.session.get(SESSION_KEY):
        return None
    # sessions from before 0023 hold no assurance: they came from a code
    return request.session.get(ASSURANCE_KEY, CODE)


def organizations(request) -> list[int] | None:
    """The organizations an ``lti`` sign-in reaches (their ids); None when the sign-in is not limited to
    some (a code, or nobody signed in)."""
    if assurance(request) != LTI:
        return None
    reached = request.session.get(LTI_ORGS_KEY, [])  # an LTI session from before: none (launch again)
    return None if reached is None else list(reached)


def reaches(request, organization_id: int) -> bool:
    """Whether the sign-in may act in this organization (an ``lti`` one: only where it was launched)."""
    reached = organizations(request)
    return reached is None or organization_id in reached


def account(request, *, minimum: str = CODE) -> Account | None:
    """The signed-in account if its sign-in is at least as sure as ``minimum``."""
    level = assurance(request)
    if level is None or _RANK.get(level, 0) < _RANK[minimum]:
        return None
    return Account.objects.filter(public_id=request.session[SESSION_KEY]).first()
