"""The course player follows the portal's accounts (decision 0023): merged accounts merge their course
progress; an erased account's course progress is deleted."""

from __future__ import annotations

from django.dispatch import receiver

from credstack.portal.signals import (
    account_email_added,
    account_email_removed,
    account_erasing,
    account_merged,
)

from . import actions


@receiver(account_merged, dispatch_uid="learning.account_merged")
def _merged(sender, source, target, moved_emails=(), **kwargs) -> None:
    actions.consolidate(target, source_account=source, moved_emails=moved_emails)


@receiver(account_email_added, dispatch_uid="learning.account_email_added")
def _email_added(sender, account, **kwargs) -> None:
    actions.consolidate(account)


@receiver(account_email_removed, dispatch_uid="learning.account_email_removed")
def _email_removed(sender, account, normalized_email, **kwargs) -> None:
    actions.follow_removed_address(account, normalized_email)


@receiver(account_erasing, dispatch_uid="learning.account_erasing")
def _erasing(sender, account, normalized_emails, **kwargs) -> None:
    actions.erase_for_account(account, normalized_emails)
