"""What the fault harness runs inside a throw-away credstack home, as its own process
(``python -m tests.faults.probe COMMAND [ARG]``, with the home's environment). Prints one JSON line.

- ``setup RECEIVER_URL``: migrate; an organization with an API key, an achievement ("course"), a pathway
  that awards "track" to every holder of "course", an outbound webhook endpoint (the harness's loopback
  receiver) and an inbound completion endpoint issuing "course".
- ``sweep``: every registered periodic job once, as if two hours had passed (the sweeps that take over
  what a dead process left: tasks, emails, webhook deliveries, inbound events, bulk jobs).
- ``pending``: the work still to do (queued or running tasks, unsent emails and webhooks, running jobs,
  unprocessed inbound events).
- ``settle``: ``pending`` until nothing is left (or a generous timeout), then ``collect``.
- ``collect``: everything the invariants are checked on, each stored credential verified.
"""

from __future__ import annotations

import inspect
import json
import sys
import time
from datetime import timedelta

import django

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.utils import timezone  # noqa: E402
from django_tasks import TaskResultStatus  # noqa: E402
from django_tasks_db.models import DBTaskResult  # noqa: E402

from credstack.achievements.actions import create_achievement  # noqa: E402
from credstack.api.actions import create_api_key  # noqa: E402
from credstack.api.models import IdempotencyRecord  # noqa: E402
from credstack.credentials.models import Credential  # noqa: E402
from credstack.credentials.resolver import local_fetch  # noqa: E402
from credstack.delivery.models import Delivery  # noqa: E402
from credstack.integrations.actions import create_endpoint as create_inbound  # noqa: E402
from credstack.integrations.models import InboundEvent  # noqa: E402
from credstack.organizations.actions import create_organization  # noqa: E402
from credstack.pathways.actions import create_pathway  # noqa: E402
from credstack.pathways.models import PathwayAward  # noqa: E402
from credstack.scheduler import registry  # noqa: E402
from credstack.vc import verify as vc_verify  # noqa: E402
from credstack.webhooks.actions import create_endpoint as create_webhook  # noqa: E402
from credstack.webhooks.actions import deliver_due  # noqa: E402
from credstack.webhooks.models import WebhookDelivery, WebhookMessage  # noqa: E402
from credstack.workspace.models import BulkJob, BulkRow  # noqa: E402

ORG = "faults"


def setup(receiver_url: str) -> dict:
    call_command("migrate", verbosity=0, interactive=False)
    org = create_organization(
        slug=ORG, name="Fault Academy", url="https://faults.example", email="c@faults.example"
    )
    course = create_achievement(
        organization=org, slug="course", name="Crash Course", description="d", criteria_narrative="c"
    )
    track = create_achievement(
        organization=org, slug="track", name="Crash Track", description="d", criteria_narrative="c"
    )
    create_pathway(achievement=track, components=[course])
    create_webhook(org, url=receiver_url, event_types=["credential.issued"])
    inbound = create_inbound(org, name="site", preset="generic", achievement=course, signing_secret="")
    key = create_api_key(org, name="fault client", scope="issue")
    return {"api_key": key.secret, "inbound_token": inbound.token}


def sweep() -> dict:
    later = timezone.now() + timedelta(hours=2)
    out = {}
    for job in registry.jobs():
        takes_now = "now" in inspect.signature(job.func).parameters
        out[job.name] = repr(job.func(now=later) if takes_now else job.func())[:200]
    # A webhook attempt cut short by a kill holds its delivery for a lease; two hours later the overdue
    # sweep's task finds it due. The task would run on the worker's clock (now, lease not yet over): the
    # attempt it makes then is made here, at that later time, as the email sweep (send_due) does.
    out["webhooks.deliver_due"] = repr(deliver_due(now=later))
    return out


def pending() -> dict:
    # ready to run (no run_after is stored as the far future) or running; the periodic chains excluded
    tasks = (
        DBTaskResult.objects.ready() | DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING)
    ).exclude(task_path__endswith="scheduler.actions.run_job")
    return {
        "tasks": tasks.count(),
        "emails": Delivery.objects.filter(state__in=["queued", "retrying"]).count(),
        "webhooks": WebhookDelivery.objects.filter(state=WebhookDelivery.State.PENDING).count(),
        "bulk_jobs": BulkJob.objects.filter(state__in=[BulkJob.State.QUEUED, BulkJob.State.RUNNING]).count(),
        "inbound": InboundEvent.objects.filter(outcome=InboundEvent.Outcome.RECEIVED).count(),
    }


def _verifies(document: str) -> str:
    """ "" when the stored credential verifies (signature, status, dates), else why not."""
    report = vc_verify.verify_credential(json.loads(document), fetch=local_fetch)
    if report.valid:
        return ""
    return "; ".join(f"{c.name}: {c.message}" for c in report.checks if c.ok is False) or report.status


def collect() -> dict:
    creds = list(
        Credential.objects.select_related("achievement").values(
            "pk",
            "public_id",
            "recipient_email",
            "achievement__slug",
            "idempotency_key",
            "status_list_id",
            "status_index",
            "source",
            "document",
        )
    )
    for c in creds:
        c["problem"] = _verifies(c.pop("document"))
    by_pk = {c["pk"]: c["public_id"] for c in creds}
    return {
        "credentials": creds,
        "deliveries": [
            {
                "token": d["token"],
                "credential": by_pk.get(d["credential_id"]),
                "kind": d["kind"],
                "state": d["state"],
            }
            for d in Delivery.objects.values("token", "credential_id", "kind", "state")
        ],
        "webhook_messages": [
            {
                "msg_id": m.msg_id,
                "type": m.event_type,
                "credential": json.loads(m.payload)["data"].get("id"),
                "states": sorted(m.deliveries.values_list("state", flat=True)),
            }
            for m in WebhookMessage.objects.prefetch_related("deliveries")
        ],
        "pathway_awards": [
            {"email": a["email"], "credential": by_pk.get(a["credential_id"])}
            for a in PathwayAward.objects.values("email", "credential_id")
        ],
        "bulk_jobs": list(
            BulkJob.objects.values(
                "public_id", "state", "total", "valid", "issued", "failed", "skipped", "error"
            )
        ),
        "bulk_rows": [
            {**r, "credential": by_pk.get(r.pop("credential_id"))}
            for r in BulkRow.objects.values("job__public_id", "number", "email", "outcome", "credential_id")
        ],
        "inbound_events": [
            {**e, "credential": by_pk.get(e.pop("credential_id"))}
            for e in InboundEvent.objects.values("source_event_id", "outcome", "reason", "credential_id")
        ],
        "tasks": dict(DBTaskResult.objects.values_list("status").annotate(n=Count("id")).order_by()),
        "failed_tasks": [
            f"{t.task_path}: {t.exception_class_path}: {(t.traceback or '').strip().splitlines()[-1:]}"
            for t in DBTaskResult.objects.filter(status=TaskResultStatus.FAILED)[:20]
        ],
        "idempotency_in_progress": IdempotencyRecord.objects.filter(status_code=None).count(),
    }


def settle(timeout: str = "120") -> dict:
    """Wait (polling) until the worker has done everything there is to do, or the timeout; then what is
    left and ``collect``."""
    deadline = time.monotonic() + float(timeout)
    while any((left := pending()).values()) and time.monotonic() < deadline:
        time.sleep(0.3)
    return {"left": left, **collect()}


if __name__ == "__main__":
    command, *rest = sys.argv[1:]
    commands = {"setup": setup, "sweep": sweep, "pending": pending, "collect": collect, "settle": settle}
    result = commands[command](*rest)
    print(json.dumps(result, default=str))
