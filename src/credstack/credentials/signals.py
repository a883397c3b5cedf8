"""Signals sent after a credential action has committed, for other apps' side effects.

Receivers (pathway evaluation, outbound webhooks, analytics) run after the commit, so they see the
committed state and cannot roll the action back. Keep receivers quick: anything slow goes into a task.

- ``credential_issued(credential)``
- ``credential_state_changed(credential, event)``: event is "revoked", "suspended", "reinstated",
  "replaced", "expiry_changed" (a new expiry was signed) or "expired" (the expiry date passed; sent once
  per expiry by ``actions.announce_expired``)
- ``engagement_recorded(events)``: buffered views/downloads/verifications were written (``engagement.py``
  writes them with ``bulk_create``, which sends no ``post_save``)

One signal is a request, sent inside the action's transaction so that what the receiver records
commits or rolls back with the action:

- ``resend_requested(credential)``: ``actions.resend_credential`` asks for the credential's email again;
  the delivery app (a layer above, which owns the emails) records it and sends it after the commit.
  With no receiver connected, the action refuses rather than pretend it sent something.
"""

from django.dispatch import Signal

credential_issued = Signal()
credential_state_changed = Signal()
engagement_recorded = Signal()
resend_requested = Signal()
