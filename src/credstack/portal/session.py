"""Who is signed in, and how sure we are of it (decision 0023).

One session for the portal (``/me``) and the course player (``/learn``): the session holds the account's
public id and an *assurance*: ``code`` (a one-time code sent to one of its addresses) or ``lti`` (an LMS
launch: the LMS vouches for its own user's address, which is enough for the course player but not for the
portfolio, exports, privacy or deletion: those ask for a code first).
"""

from __future__ import annotations

from .models import Account

SESSION_KEY = "portal_account"
ASSURANCE_KEY = "portal_assurance"
CODE = "code"
LTI = "lti"
_RANK = {LTI: 1, CODE: 2}


def start(request, account: Account, assurance: str) -> None:
    """Sign ``account`` in. A weaker sign-in of the same account keeps the stronger assurance."""
    session = request.session
    same = session.get(SESSION_KEY) == account.public_id
    if same and _RANK.get(session.get(ASSURANCE_KEY, CODE), 0) >= _RANK[assurance]:
        return
    session.cycle_key()
    session[SESSION_KEY] = account.public_id
    session[ASSURANCE_KEY] = assurance


def end(request) -> None:
    """Sign out of both sites (one session)."""
    request.session.flush()


def assurance(request) -> str | None:
    if not hasattr(request, "session") or not request.session.get(SESSION_KEY):
        return None
    # sessions from before 0023 hold no assurance: they came from a code
    return request.session.get(ASSURANCE_KEY, CODE)


def account(request, *, minimum: str = CODE) -> Account | None:
    """The signed-in account if its sign-in is at least as sure as ``minimum``."""
    level = assurance(request)
    if level is None or _RANK.get(level, 0) < _RANK[minimum]:
        return None
    return Account.objects.filter(public_id=request.session[SESSION_KEY]).first()
