"""Record xAPI statements and send them to the configured LRS (queued, retried); no-op without one.

A failed send is retried on the platform's one schedule (``credstack.retry.POLICY``); an answer that
will never change (``transient_http_status`` is false: 400, 422, ...) is given up on at once.

Configuration (environment, or Django settings of the same name):
``CREDSTACK_XAPI_ENDPOINT`` (the LRS's base URL, ending before ``statements``),
``CREDSTACK_XAPI_USERNAME`` / ``CREDSTACK_XAPI_PASSWORD`` (HTTP Basic).
"""

from __future__ import annotations

import base64
import json
import logging
import os
import uuid
from datetime import datetime
from urllib.parse import quote

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from credstack import httpclient, taskqueues
from credstack.credentials.models import Credential
from credstack.retry import POLICY, transient_http_status

from . import statements as xs
from .models import Statement

log = logging.getLogger(__name__)
TIMEOUT = 10


def config() -> dict | None:
    def get(name):
        return getattr(settings, name, None) or os.environ.get(name, "")

    endpoint = get("CREDSTACK_XAPI_ENDPOINT")
    if not endpoint:
        return None
    return {
        "endpoint": endpoint.rstrip("/") + "/",
        "username": get("CREDSTACK_XAPI_USERNAME"),
        "password": get("CREDSTACK_XAPI_PASSWORD"),
    }


def enabled() -> bool:
    return config() is not None


def queue(payload: dict, verb: str) -> Statement | None:
    """Store a statement for delivery and send it after commit. Nothing happens without an LRS.
    A statement whose id is stored already is not stored again (an outbox consumer that runs twice)."""
    if not enabled():
        return None
    stored = Statement.objects.filter(statement_id=payload["id"]).first()
    if stored is not None:
        return stored
    # due at once: if the task below is lost, ``flush`` sends it
    record = Statement.objects.create(
        statement_id=payload["id"], verb=verb, payload=payload, next_try_at=timezone.now()
    )
    transaction.on_commit(lambda: send_statement.enqueue(record.pk))
    return record


def deliver(record: Statement, now: datetime | None = None) -> bool:
    """PUT the statement to the LRS (idempotent by statement id). True when the LRS took it.

    On failure the next try is scheduled by the retry policy, or none when the LRS refused the statement
    for good or the schedule is over (``sent_at`` and ``next_try_at`` both empty: given up)."""
    cfg = config()
    if cfg is None or record.sent_at:
        return bool(record.sent_at)
    url = f"{cfg['endpoint']}statements?statementId={quote(str(record.statement_id))}"
    headers = {"Content-Type": "application/json", "X-Experience-API-Version": xs.VERSION}
    if cfg["username"]:
        token = base64.b64encode(f"{cfg['username']}:{cfg['password']}".encode()).decode()
        headers["Authorization"] = f"Basic {token}"
    body = json.dumps(xs.as_sent(record.payload)).encode()
    record.attempts += 1
    try:
        # The LRS is the operator's own configuration, often on the private network: any address may
        # be called, through the one outbound client (pinned address, no redirects, capped size).
        response = httpclient.request(
            "PUT",
            url,
            body=body,
            headers=headers,
            policy=httpclient.any_address,
            timeout=TIMEOUT,
            max_bytes=2000,
            truncate=True,
            user_agent="credstack-xapi",
        )
    except (httpclient.HTTPClientError, httpclient.BlockedTarget) as exc:
        ok, error, transient = False, f"{type(exc).__name__}: {exc}", True
    else:
        # 409: the LRS already has this id (a retry after a lost answer): delivered.
        ok = 200 <= response.status < 300 or response.status == 409
        error = "" if ok else f"HTTP {response.status}: {response.text()[:500]}"
        transient = ok or transient_http_status(response.status)
    now = now or timezone.now()
    if ok:
        record.sent_at, record.next_try_at, record.last_error = now, None, ""
    else:
        record.next_try_at = POLICY.next_attempt_at(now, record.attempts) if transient else None
        gave_up = "" if record.next_try_at else " (given up)"
        record.last_error = (error + gave_up)[:2000]
        log.warning(
            "xAPI statement %s not delivered (try %d)%s: %s",
            record.statement_id,
            record.attempts,
            gave_up,
            error,
        )
    record.save(update_fields=["attempts", "sent_at", "next_try_at", "last_error"])
    if not ok and record.next_try_at:
        # With a worker that runs deferred tasks (the database backend), the retry schedules itself;
        # otherwise `credstack manage xapi_flush` picks it up.
        run_later(send_statement, record.next_try_at, record.pk)
    return ok


def run_later(task, when, *args) -> bool:
    """Enqueue ``task`` to run at ``when`` if the task backend can defer; False if it cannot."""
    if not task.get_backend().supports_defer:
        return False
    task.using(run_after=when).enqueue(*args)
    return True


def flush(now=None) -> int:
    """Send every statement whose retry is due (run by ``credstack manage xapi_flush`` / the worker)."""
    now = now or timezone.now()
    sent = 0
    for record in Statement.objects.filter(sent_at__isnull=True, next_try_at__lte=now).order_by("id")[:500]:
        sent += deliver(record, now)
    return sent


@task(queue_name=taskqueues.WEBHOOKS)
def send_statement(statement_pk: int) -> bool:
    """Deliver one statement (queued after commit by ``queue``, again by ``deliver`` for a retry); a
    failure leaves it for ``flush`` at its next try time."""
    record = Statement.objects.filter(pk=statement_pk, sent_at__isnull=True).first()
    return deliver(record) if record else True


# ---------------------------------------------------------------- the statements credstack makes
# (the learning app makes its own, from the enrolments it owns: ``credstack.learning.xapi_statements``)


def record_earned(credential_id: int) -> Statement | None:
    if not enabled():
        return None
    credential = Credential.objects.select_related("achievement").get(pk=credential_id)
    achievement = credential.achievement
    payload = xs.statement(
        verb="earned",
        agent=xs.actor(credential.recipient_email, credential.recipient_name),
        obj=xs.activity(achievement.uri, achievement.name, "badge", "en", achievement.description[:500]),
        timestamp=credential.issued_at,
        # one "earned" statement per credential: its id comes from the credential, not from chance
        statement_id=str(uuid.uuid5(uuid.NAMESPACE_URL, credential.uri + "#earned")),
        result={
            "completion": True,
            "success": True,
            "extensions": {"https://w3id.org/xapi/credstack/credential": credential.uri},
        },
    )
    return queue(payload, "earned")
