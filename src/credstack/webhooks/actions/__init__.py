"""Outbound events: endpoints, publishing, delivery attempts with backoff, redelivery.

Publishing stores one message (one ``webhook-id``, one exact body) and one delivery per subscribed
endpoint, then queues the first attempt after commit. Each failed attempt schedules the next one
from the platform's one retry policy (``credstack.retry``, about three and a half days in all); every
failure counts as transient, as Standard Webhooks senders do. When the schedule is exhausted the endpoint is
disabled and the organization is told by email. Once it is on again, ``redeliver_failed`` queues what
failed in the last days. ``rotate_secret`` keeps the replaced secret signing for an overlap window.

Every change an administrator makes to an endpoint (create, update, on/off, delete, secret rotation,
test event, redelivery) is an action here that takes an ``Actor``, checks the admin role and writes the
audit row; the workspace pages and the JSON API only parse, call and render.

One module per concern; import the names from here (``credstack.webhooks.actions``):

- ``endpoints``: create, update, turn on/off, delete; REST Hooks subscriptions; the URL check;
- ``events``: ``publish`` an event to the subscribed endpoints; the test event;
- ``delivery``: the ``deliver_webhook`` task and ``attempt`` (send, back off, disable), redelivery,
  the periodic sweeps;
- ``rotation``: signing secrets rotated with an overlap, the overlap ended, old secrets forgotten.
"""

from .delivery import (
    GONE,
    OVERDUE_GRACE,
    attempt,
    deliver_due,
    deliver_webhook,
    disable_endpoint,
    failed_recently,
    queue_deliveries,
    redeliver,
    redeliver_failed,
    requeue_overdue,
)
from .endpoints import (
    EndpointOff,
    allow_private,
    create_endpoint,
    delete_endpoint,
    may_manage,
    require_on,
    set_endpoint_enabled,
    subscribe_hook,
    unsubscribe_hook,
    update_endpoint,
    validate_url,
)
from .events import publish, send_test_event
from .rotation import end_rotation_overlap, forget_expired_secrets, rotate_secret, rotation_overlap

__all__ = [
    "GONE",
    "OVERDUE_GRACE",
    "EndpointOff",
    "allow_private",
    "attempt",
    "create_endpoint",
    "delete_endpoint",
    "deliver_due",
    "deliver_webhook",
    "disable_endpoint",
    "end_rotation_overlap",
    "failed_recently",
    "forget_expired_secrets",
    "may_manage",
    "publish",
    "queue_deliveries",
    "redeliver",
    "redeliver_failed",
    "requeue_overdue",
    "require_on",
    "rotate_secret",
    "rotation_overlap",
    "send_test_event",
    "set_endpoint_enabled",
    "subscribe_hook",
    "unsubscribe_hook",
    "update_endpoint",
    "validate_url",
]
