"""The transactional outbox (decision 0036): every side effect of an action is a row written in the
action's own transaction, delivered after the commit by whichever process gets to it first.

- ``credstack.outbox.registry.subscribe(kind, consumer, handler)``: from an ``AppConfig.ready()``, a
  consumer says it wants effects of ``kind`` (no database there).
- ``credstack.outbox.actions.emit(kind, payload, key=...)``: inside the action's ``transaction.atomic()``
  (raises ``OutsideTransaction`` otherwise), one row per subscribed consumer.
- ``credstack.outbox.actions.dispatch_due``: the sweep (periodic job ``outbox.dispatch_due``, every
  minute, and once when ``credstack worker`` starts) delivers what the committing process did not.
"""
