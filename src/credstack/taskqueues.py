"""Task queues, one per kind of work (decision 0047).

Every task names its queue (``@task(queue_name=taskqueues.EMAIL)``), so a deployment can give each kind of
work its own workers and scale them on that queue's length (``credstack_queue_length`` on ``/metrics``):
a 100,000-row bulk upload does not hold back the password-reset email behind it.

- ``bulk``: bulk issuance jobs and bulk revoke/suspend (long: minutes).
- ``email``: credential emails, invitations, reminders and nudges.
- ``webhooks``: outbound HTTP to other systems: webhooks, xAPI statements, LTI grades.
- ``pdfs``: certificate PDFs rendered ahead of their first download.
- ``default``: everything else (periodic jobs, pathway awards, clean-ups).

The queues live in the database (django-tasks-db, the zero-set-up default) or, with ``REDIS_URL`` set, in
Redis through RQ (django-tasks-rq). ``credstack worker --queues bulk,email`` works the same on both.
"""

from __future__ import annotations

from django.conf import settings

DEFAULT = "default"
BULK = "bulk"
EMAIL = "email"
WEBHOOKS = "webhooks"
PDFS = "pdfs"

ALL: list[str] = [DEFAULT, BULK, EMAIL, WEBHOOKS, PDFS]

RQ_BACKEND = "django_tasks_rq.RQBackend"


def parse(text: str) -> list[str]:
    """``"bulk,email"`` as a list of queue names; "" or "*" is every queue. ValueError names an unknown one."""
    names = [name.strip() for name in text.split(",") if name.strip()]
    if not names or names == ["*"]:
        return list(ALL)
    unknown = [name for name in names if name not in ALL]
    if unknown:
        raise ValueError(f"no queue {', '.join(map(repr, unknown))}: the queues are {', '.join(ALL)}")
    return list(dict.fromkeys(names))


def backend_path() -> str:
    return str(settings.TASKS.get("default", {}).get("BACKEND", ""))


def on_redis() -> bool:
    """Whether tasks go to Redis through RQ (``REDIS_URL`` set, no other backend forced)."""
    return backend_path() == RQ_BACKEND
