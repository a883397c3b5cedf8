"""Signals of the portal, sent inside the transaction that changes the accounts (decision 0023).

- ``account_merged(source, target, moved_emails)``: ``source``'s addresses (``moved_emails``) moved to
  ``target``; ``source`` is deleted right
  after the receivers return. The course player merges the two learners' progress.
- ``account_email_added(account, normalized_email)``: a new address (no account had it) joined the account.
- ``account_email_removed(account, normalized_email)``: the holder removed one of the account's addresses.
  The course player moves the learner's profile address (where credentials go) to one that remains.
- ``account_erasing(account, normalized_emails)``: the account is about to be erased (decision 0017). The
  course player deletes the learner's progress.
"""

from django.dispatch import Signal

account_merged = Signal()
account_email_added = Signal()
account_email_removed = Signal()
account_erasing = Signal()
