"""What credential actions tell other apps.

Side effects of a change go through the transactional outbox (``credstack.outbox``, decision 0036): the
action emits them inside its transaction, and the consumers that other apps subscribe from their
``AppConfig.ready()`` (``credstack.outbox.registry.subscribe``) act on them after the commit, at least
once, from whichever process gets there first (a process killed right after the commit loses nothing).
The kinds, with their payloads:

- ``ISSUED`` = ``"credential.issued"``: ``{"credential": pk, "organization": pk}``; one per credential (key
  ``credential.issued:<public id>``; a batch of several is stored as one row per consumer, its effects
  in a list: ``outbox.emit_many``, decision 0063)
- ``STATE_CHANGED`` = ``"credential.state_changed"``: ``{"credential", "organization", "event", "state"}``;
  event is "revoked", "suspended", "reinstated", "replaced", "expiry_changed" (a new expiry was signed)
  or "expired" (the expiry date passed; once per expiry, ``actions.announce_expired``); state is the
  credential's state as the change left it

The Django signals ``credential_issued`` and ``credential_state_changed`` that ran receivers in the
committing process are gone: a kill right after the commit lost their effects.

Two in-process signals remain, for what is not a consequence of a committed change:

- ``engagement_recorded(events)``: buffered views/downloads/verifications were written (``engagement.py``
  writes them with ``bulk_create``, which sends no ``post_save``)
- ``resend_requested(credential)``: ``actions.resend_credential`` asks for the credential's email again,
  sent inside the action's transaction so that what the receiver records commits or rolls back with the
  action; the delivery app (a layer above, which owns the emails) records it and sends it after the
  commit. With no receiver connected, the action refuses rather than pretend it sent something.
"""

from django.dispatch import Signal

ISSUED = "credential.issued"
STATE_CHANGED = "credential.state_changed"

engagement_recorded = Signal()
resend_requested = Signal()
