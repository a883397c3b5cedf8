"""One randomized kill run and the invariants checked after it (see README.md in this folder).

``one_run(template, seed)`` copies the template's home, starts the web server and the worker, and lets
three kinds of clients work while a seeded schedule kills (``kill -9``) the web server, the worker and the
bulk run at random points and restarts them:

- API clients: ``POST /api/v1/credentials`` with an ``Idempotency-Key``, retried with the same key until
  they get 201 (a client that lost its answer retries, as the API documents);
- an integration: inbound completions ``POST /hooks/in/<token>`` with an event id, repeated until the
  platform answers with the credential;
- an operator: ``credstack bulk-issue`` of a CSV, run again when it was killed.

Then the worker is killed once more, the periodic sweeps run as if two hours had passed, the worker
drains the queue, and ``check`` lists every broken invariant.
"""

from __future__ import annotations

import csv
import json
import random
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from .harness import ORG, Proc, Run, Template, bulk_csv, http

CHAOS_SECONDS = 8.0
API_CLIENTS, API_REQUESTS = 2, 6
INBOUND_EVENTS = 6
BULK_ROWS = 24
CLIENT_TIMEOUT = 240.0  # a client gives up on one request after this long (then the run fails, clearly)


@dataclass
class Seen:
    """What the clients saw succeed: the credential each one was told about."""

    api: dict[str, str] = field(default_factory=dict)  # Idempotency-Key -> credential id
    api_answers: dict[str, set] = field(default_factory=lambda: defaultdict(set))
    inbound: dict[str, str] = field(default_factory=dict)  # event id -> credential id
    inbound_open: set[str] = field(default_factory=set)  # answered "received" without a credential yet
    bulk_results: list[dict] = field(default_factory=list)  # rows of a bulk run that finished
    unexpected: list[str] = field(default_factory=list)
    log: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _cred_id(url_or_id: str | None) -> str | None:
    return url_or_id.rstrip("/").rsplit("/", 1)[-1] if url_or_id else None


def api_client(run: Run, seen: Seen, keys: list[tuple[str, str, str]]) -> None:
    headers = {"Authorization": f"Bearer {run.template.info['api_key']}", "Content-Type": "application/json"}
    for key, name, addr in keys:
        body = json.dumps({"achievement": "course", "recipient": {"name": name, "email": addr}}).encode()
        deadline = time.monotonic() + CLIENT_TIMEOUT
        while True:
            try:
                status, answer = http(
                    "POST", run.base_url + "/api/v1/credentials", body, {**headers, "Idempotency-Key": key}
                )
            except OSError:
                status, answer = 0, "no answer"
            if status == 201:
                with seen.lock:
                    seen.api[key] = answer["id"]
                    seen.api_answers[key].add(answer["id"])
                break
            if status not in (0, 409, 429, 500, 502, 503) or time.monotonic() > deadline:
                with seen.lock:
                    seen.unexpected.append(f"API {key}: {status} {str(answer)[:300]}")
                break
            time.sleep(0.3)


def inbound_client(run: Run, seen: Seen, events: list[tuple[str, str, str]]) -> None:
    url = f"{run.base_url}/hooks/in/{run.template.info['inbound_token']}"
    for event_id, name, addr in events:
        body = json.dumps({"id": event_id, "email": addr, "name": name}).encode()
        deadline = time.monotonic() + CLIENT_TIMEOUT
        while True:
            try:
                status, answer = http("POST", url, body, {"Content-Type": "application/json"})
            except OSError:
                status, answer = 0, "no answer"
            if status in (200, 202) and isinstance(answer, dict):
                with seen.lock:
                    if answer.get("credential"):
                        seen.inbound[event_id] = _cred_id(answer["credential"]) or ""
                        seen.inbound_open.discard(event_id)
                    elif answer.get("outcome") == "received":  # stored by a process that died
                        seen.inbound_open.add(event_id)
                    else:
                        seen.unexpected.append(f"inbound {event_id}: {status} {answer}")
                break
            if status not in (0, 500, 502, 503) or time.monotonic() > deadline:
                with seen.lock:
                    seen.unexpected.append(f"inbound {event_id}: {status} {str(answer)[:300]}")
                break
            time.sleep(0.3)


def _client(work, run: Run, seen: Seen, items) -> None:
    """A client thread: an error of the harness itself is a broken run, not a silently dead thread."""
    try:
        work(run, seen, items)
    except Exception as exc:
        with seen.lock:
            seen.unexpected.append(f"client {work.__name__} stopped: {exc!r}")


def _bulk_results(path) -> list[dict]:
    with open(path, newline="") as fh:
        return list(csv.DictReader(fh))


def one_run(template: Template, seed: int, name: str) -> tuple[list[str], dict]:
    rng = random.Random(seed)
    run = Run(template, name)
    seen = Seen()
    tag = f"s{seed}"
    api_keys = [
        [(f"{tag}-api-{c}-{i}", f"Api {c} {i}", f"api{c}.{i}.{tag}@example.org") for i in range(API_REQUESTS)]
        for c in range(API_CLIENTS)
    ]
    events = [(f"{tag}-ev-{i}", f"Inbound {i}", f"in{i}.{tag}@example.org") for i in range(INBOUND_EVENTS)]
    csv_path = bulk_csv(
        run.dir / "learners.csv", [(f"Bulk {i}", f"bulk{i}.{tag}@example.org") for i in range(BULK_ROWS)]
    )
    results_path = run.dir / "results.csv"
    bulk = Proc(
        "bulk",
        [
            "bulk-issue",
            "--org",
            ORG,
            "--achievement",
            "course",
            str(csv_path),
            "--results",
            str(results_path),
        ],
        run.env,
        run.dir / "bulk.log",
    )
    template.receiver.take()  # nothing of an earlier run
    phases: dict[str, float] = {}
    began = time.monotonic()
    try:
        run.start_web()
        run.worker.start()
        phases["start"] = time.monotonic() - began
        clients = [threading.Thread(target=_client, args=(api_client, run, seen, keys)) for keys in api_keys]
        clients.append(threading.Thread(target=_client, args=(inbound_client, run, seen, events)))
        for t in clients:
            t.start()
        bulk.start()
        bulk_runs = 1

        # the kills: seeded times and targets, each restarted after a short pause; the bulk run is killed
        # once at a random point of its first seconds (it would often finish before a random pick)
        started = time.monotonic()
        bulk_kill_at = rng.uniform(1.0, 5.0)
        while time.monotonic() - started < CHAOS_SECONDS:
            pause = rng.uniform(1.0, 3.0)
            if bulk_kill_at and time.monotonic() - started + pause > bulk_kill_at:
                time.sleep(max(0.0, bulk_kill_at - (time.monotonic() - started)))
                target, bulk_kill_at = "bulk", 0.0
            else:
                time.sleep(pause)
                target = rng.choice(["web", "worker"])
            proc = {"web": run.web, "worker": run.worker, "bulk": bulk}[target]
            if not proc.running:
                continue
            proc.kill()
            seen.log.append(f"{time.monotonic() - started:5.1f}s kill -9 {target}")
            time.sleep(rng.uniform(0.1, 1.0))
            if target == "web":
                run.start_web()
            elif target == "worker":
                run.worker.start()
            elif rng.random() < 0.5:  # the operator runs the command again (else the sweep resumes the job)
                bulk.start()
                bulk_runs += 1
                seen.log.append("bulk-issue run again")
        phases["chaos"] = time.monotonic() - started

        for t in clients:
            t.join(timeout=CLIENT_TIMEOUT + 60)
        if bulk.popen is not None:
            bulk.popen.wait(timeout=600)
        if not results_path.exists():  # every run was killed: the operator runs it once more, to its end
            bulk.start().popen.wait(timeout=600)  # type: ignore[union-attr]
            bulk_runs += 1
        if results_path.exists():
            seen.bulk_results = _bulk_results(results_path)

        phases["clients"] = time.monotonic() - started - phases["chaos"]

        # what a dead process left: kill the worker once more, run the sweeps as if two hours had passed,
        # let the integration repeat the events it got no credential for, and a fresh worker drain the
        # queue; once more if something is left (work the first round queued)
        for _ in range(2):
            run.worker.kill()
            swept = run.probe("sweep")
            seen.log.append("sweep: " + json.dumps({k: v for k, v in swept.items() if v != "0"}))
            if seen.inbound_open:
                inbound_client(run, seen, [e for e in events if e[0] in seen.inbound_open])
            run.worker.start()
            state = run.probe("settle", "120")
            if not any(state["left"].values()):
                break
        phases["recovery"] = time.monotonic() - started - phases["chaos"] - phases["clients"]
        emails = run.emails()
        hooks = template.receiver.take()
    finally:
        for proc in (bulk, run.worker, run.web):
            proc.stop()
    failures = check(seen, state, emails, hooks, state["left"], api_keys, events)
    stats = {
        "seed": seed,
        "credentials": len(state["credentials"]),
        "kills": {"web": run.web.kills, "worker": run.worker.kills, "bulk": bulk.kills},
        "bulk_runs": bulk_runs,
        "emails": len(emails),
        "emails_repeated": len(emails) - len(set(emails)),  # the same delivery token twice
        "webhook_posts": len(hooks),
        "webhooks_repeated": len(hooks) - len({h["id"] for h in hooks}),  # the same webhook-id again
        "seconds": {k: round(v, 1) for k, v in phases.items()},
        "log": seen.log,
    }
    run.close()
    return failures, stats


def check(seen: Seen, state: dict, emails: list, hooks: list, left: dict, api_keys, events) -> list[str]:
    """Every broken invariant, one line each."""
    bad: list[str] = []
    creds = {c["public_id"]: c for c in state["credentials"]}
    bad += seen.unexpected

    # every request a client saw succeed has its credential; no key answered with two credentials
    for key, cid in seen.api.items():
        if cid not in creds:
            bad.append(f"API {key} was answered 201 with {cid}, which does not exist")
        if len(seen.api_answers[key]) > 1:
            bad.append(f"API {key} was answered with two credentials: {sorted(seen.api_answers[key])}")
    bad += [f"API {k}: never answered 201" for keys in api_keys for k, _, _ in keys if k not in seen.api]
    for event_id, cid in seen.inbound.items():
        if cid not in creds:
            bad.append(f"inbound {event_id} was answered with {cid}, which does not exist")
    bad += [f"inbound {e}: never answered with a credential" for e, _, _ in events if e not in seen.inbound]
    for row in seen.bulk_results:
        cid = row["credential_url"].rsplit("/", 1)[-1]
        if row["outcome"] == "issued" and cid not in creds:
            bad.append(f"bulk row {row['row']} reported issued as {cid}, which does not exist")

    # no credential issued twice: one "course" and one "track" credential per learner
    per = Counter((c["recipient_email"], c["achievement__slug"]) for c in state["credentials"])
    bad += [f"{n} {slug} credentials for {addr}" for (addr, slug), n in per.items() if n > 1]
    # no status index shared
    slots = Counter((c["status_list_id"], c["status_index"]) for c in state["credentials"])
    bad += [f"status index {slot} held by {n} credentials" for slot, n in slots.items() if n > 1]
    # every stored credential verifies
    bad += [f"{c['public_id']} does not verify: {c['problem']}" for c in state["credentials"] if c["problem"]]

    # every credential has its email exactly once in effect (one delivery token; the same token twice
    # is one email delivered twice, which at-least-once allows)
    token_cred = {d["token"]: d["credential"] for d in state["deliveries"] if d["kind"] == "issued"}
    emailed = defaultdict(set)
    for token in emails:
        if token in token_cred:
            emailed[token_cred[token]].add(token)
    for cid in creds:
        if len(emailed[cid]) != 1:
            bad.append(f"{cid} ({creds[cid]['achievement__slug']}): {len(emailed[cid])} issue emails")

    # its webhook event once in effect: one webhook-id per credential, received at least once
    hook_ids = defaultdict(set)
    for h in hooks:
        if h["type"] == "credential.issued":
            hook_ids[h["credential"]].add(h["id"])
    for cid in creds:
        if len(hook_ids[cid]) != 1:
            bad.append(f"{cid}: credential.issued received with {len(hook_ids[cid])} webhook-ids")

    # its pathway evaluation: every holder of "course" got "track" once, by one award
    awards = Counter(a["email"] for a in state["pathway_awards"])
    for c in state["credentials"]:
        if c["achievement__slug"] == "course" and awards[c["recipient_email"]] != 1:
            bad.append(f"{c['recipient_email']}: {awards[c['recipient_email']]} pathway awards")

    # no bulk job claiming more than exists; no committed row reported failed; no job left "running"
    rows_by_job = defaultdict(list)
    for r in state["bulk_rows"]:
        rows_by_job[r["job__public_id"]].append(r)
    counted = Counter()
    for job in state["bulk_jobs"]:
        rows = rows_by_job[job["public_id"]]
        issued = [r for r in rows if r["outcome"] == "issued" and r["credential"] in creds]
        if job["issued"] > len(issued):
            bad.append(f"bulk job {job['public_id']} claims {job['issued']} issued; {len(issued)} exist")
        counted.update(r["credential"] for r in issued)
        if job["state"] in ("queued", "running"):
            bad.append(f"bulk job {job['public_id']} still {job['state']} after the sweeps")
    bad += [f"{cid} counted as issued by {n} bulk rows" for cid, n in counted.items() if n > 1]
    held = {c["recipient_email"] for c in state["credentials"] if c["achievement__slug"] == "course"}
    for r in state["bulk_rows"]:
        if r["outcome"] == "failed" and r["email"] in held:
            bad.append(
                f"bulk job {r['job__public_id']} row {r['number']} reported failed, yet {r['email']} holds it"
            )

    if any(left.values()):
        bad.append(f"work left after the sweeps and the drain: {left}")
    bad += [f"failed task: {t}" for t in state["failed_tasks"]]
    return bad
