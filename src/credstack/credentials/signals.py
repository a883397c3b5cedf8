"""Signals sent after a credential action has committed, for other apps' side effects.

Receivers (pathway evaluation, outbound webhooks, analytics) run after the commit, so they see the
committed state and cannot roll the action back. Keep receivers quick: anything slow goes into a task.

- ``credential_issued(credential)``
- ``credential_state_changed(credential, event)``: event is "revoked", "suspended", "reinstated",
  "replaced" or "expiry_changed"
"""

from django.dispatch import Signal

credential_issued = Signal()
credential_state_changed = Signal()
