"""Reading the portal: who is signed in, what they hold."""

from __future__ import annotations

from django.db.models import Case, IntegerField, Value, When
from django.db.models.functions import Lower

from credstack.credentials.models import Credential

from . import session
from .models import Account
from .session import SESSION_KEY  # noqa: F401  (where tests and the OAuth flow look for it)


def current_account(request) -> Account | None:
    """The account signed in with a code. An account signed in by an LMS launch only (decision 0023) is
    not enough for the portfolio, exports, privacy or deletion: ``None`` here."""
    return session.account(request, minimum=session.CODE)


def holder_emails(request) -> set[str]:
    """Lower-cased verified addresses of the signed-in portal account (empty for strangers)."""
    account = current_account(request)
    if account is None:
        return set()
    return set(account.emails.values_list("normalized", flat=True))


def is_holder(request, credential: Credential) -> bool:
    emails = holder_emails(request)
    return bool(emails) and credential.recipient_email.lower() in emails


def credentials_for(account: Account, first_org=None):
    """Every credential issued to the account's addresses, by any organization: ``first_org``'s first,
    then newest first."""
    emails = list(account.emails.values_list("normalized", flat=True))
    qs = (
        Credential.objects.annotate(email_l=Lower("recipient_email"))
        .filter(email_l__in=emails)
        .select_related("organization", "achievement", "replaced_by")
    )
    if first_org is not None:
        qs = qs.annotate(
            first=Case(
                When(organization=first_org, then=Value(0)), default=Value(1), output_field=IntegerField()
            )
        ).order_by("first", "-issued_at", "-id")
    else:
        qs = qs.order_by("-issued_at", "-id")
    return qs
