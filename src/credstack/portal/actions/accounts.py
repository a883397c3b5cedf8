"""Portal accounts: signed in with a code (created on first sign-in, or for an address an LMS or single
sign-on vouches for), addresses added (two accounts merged) and removed, the account erased."""

from __future__ import annotations

import logging

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from credstack.credentials import actions as credential_actions
from credstack.credentials.models import Credential
from credstack.credentials.validation import clean_email
from credstack.delivery.models import Delivery

from ..models import Account, AccountEmail, LoginCode, Portfolio
from ..signals import account_email_added, account_email_removed, account_erasing, account_merged
from .codes import CodeError, check_code, normalize
from .sharing import holder

log = logging.getLogger("credstack.portal.actions")  # log lines keep the name they had before the split


def sign_in(email: str, code: str, *, ip: str | None = None) -> Account:
    """Check the code and return the address's account, creating it on first sign-in."""
    row = check_code(email, code, ip=ip)
    with transaction.atomic():
        account = account_for_email(row.email, verified_by=AccountEmail.VerifiedBy.CODE)
        account.last_login_at = timezone.now()
        account.save(update_fields=["last_login_at"])
    return account


def account_for_email(email: str, *, verified_by: str) -> Account:
    """The account holding the address, created (with the address) when there is none. The caller has
    proven the address: by a code (``code``), or an LMS vouches for it (``lti``). A code upgrades an address
    an LMS vouched for."""
    normalized = normalize(email)
    now = timezone.now()
    with transaction.atomic():
        existing = AccountEmail.objects.select_related("account").filter(normalized=normalized).first()
        if existing:
            stronger = (AccountEmail.VerifiedBy.CODE, AccountEmail.VerifiedBy.SSO)
            if verified_by in stronger and existing.verified_by == AccountEmail.VerifiedBy.LTI:
                AccountEmail.objects.filter(pk=existing.pk).update(verified_by=verified_by, verified_at=now)
            return existing.account
        account = Account.objects.create()
        try:
            with transaction.atomic():
                AccountEmail.objects.create(
                    account=account,
                    email=clean_email(email, "email"),
                    normalized=normalized,
                    verified_at=now,
                    verified_by=verified_by,
                )
        except IntegrityError:  # the same address signed in twice at once
            account.delete()
            account = AccountEmail.objects.get(normalized=normalized).account
    return account


def add_email(account: Account, email: str, code: str, *, ip: str | None = None) -> AccountEmail:
    """Verify another address for the account. If it belongs to another account, that account's
    addresses move over (the portfolios merge) and it is removed."""
    row = check_code(email, code, purpose=LoginCode.Purpose.ADD_EMAIL, ip=ip)
    if row.account_id != account.pk:
        raise CodeError(_("This code was sent for another account."))
    code = AccountEmail.VerifiedBy.CODE
    with transaction.atomic():
        other = AccountEmail.objects.filter(normalized=row.normalized_email).first()
        if other and other.verified_by != code:  # a code proves more than an LMS launch did
            AccountEmail.objects.filter(pk=other.pk).update(verified_by=code, verified_at=timezone.now())
        if other and other.account_id == account.pk:
            return other
        if other:
            merged = other.account
            moved = list(AccountEmail.objects.filter(account=merged).values_list("normalized", flat=True))
            AccountEmail.objects.filter(account=merged).update(account=account)
            # the course player merges the two learners' progress (decision 0023)
            account_merged.send(sender=Account, source=merged, target=account, moved_emails=moved)
            if not Portfolio.objects.filter(account=account).exists():  # its public portfolio comes along
                Portfolio.objects.filter(account=merged).update(account=account)
            merged.delete()
            return AccountEmail.objects.get(normalized=row.normalized_email)
        added = AccountEmail.objects.create(
            account=account, email=row.email, normalized=row.normalized_email, verified_at=timezone.now()
        )
        # course progress kept under the new address (e.g. an invitation) joins the account
        account_email_added.send(sender=Account, account=account, normalized_email=added.normalized)
        return added


@transaction.atomic
def remove_email(account: Account, email_id: int) -> None:
    emails = list(account.emails.all())
    if len(emails) <= 1:
        raise ValidationError({"email": _("is the account's only address; delete the account instead")})
    removed = next((e for e in emails if e.pk == email_id), None)
    if removed is None:
        return
    removed.delete()
    # the course player stops sending credentials of later courses to the removed address
    account_email_removed.send(sender=Account, account=account, normalized_email=removed.normalized)


@transaction.atomic
def delete_account(account: Account) -> int:
    """Erase the account: its addresses, codes and sessions go; its credentials become private (their pages
    show nothing personal) and the addresses in delivery records are erased. The signed credentials and the
    status lists stay, so every credential keeps verifying. Returns how many credentials were made private."""

    normalized = list(account.emails.values_list("normalized", flat=True))
    # the course player deletes the learner's progress (decision 0023); credentials stay (0017)
    account_erasing.send(sender=Account, account=account, normalized_emails=normalized)
    creds = Credential.objects.annotate(email_l=Lower("recipient_email")).filter(email_l__in=normalized)
    n = credential_actions.make_private(
        creds, actor=holder(account), why="the recipient deleted their portal account"
    )
    Delivery.objects.annotate(to_l=Lower("to")).filter(to_l__in=normalized).update(to="")
    LoginCode.objects.filter(normalized_email__in=normalized).delete()
    account.delete()
    log.info("portal account deleted (%d credentials made private)", n)
    return n
