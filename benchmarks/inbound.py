"""Inbound completion webhooks through the whole request path (middleware, signature check, parse, event
row, mapping, conditions, awarding engine, issuance pipeline), on the configured database.

    .venv/bin/python benchmarks/inbound.py [--count 300]

Three runs of signed ClassMarker deliveries (tests/integrations/payloads/classmarker.txt): new learners
(each issues a credential), the same deliveries again (repeats: answered from the stored event), and
failing the pass mark (skipped). Then Teachable-style deliveries (tests/integrations/payloads/teachable.txt):
JSON arrays of 10 completions each, new and repeated. Runs in a temporary CREDSTACK_HOME so it never
touches real data.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

PAYLOADS = Path(__file__).resolve().parent.parent / "tests" / "integrations" / "payloads"
SAMPLE = PAYLOADS / "classmarker.txt"
TEACHABLE = PAYLOADS / "teachable.txt"
PER_ARRAY = 10


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=300)
    args = parser.parse_args()

    os.environ.setdefault("CREDSTACK_HOME", tempfile.mkdtemp(prefix="credstack-bench-"))
    os.environ.setdefault("CREDSTACK_LOG_LEVEL", "WARNING")
    os.environ["CREDSTACK_TASK_BACKEND"] = "django_tasks.backends.dummy.DummyBackend"
    os.environ["CREDSTACK_ALLOWED_HOSTS"] = "testserver"
    os.environ["DJANGO_SETTINGS_MODULE"] = "credstack.config.settings"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from credstack.achievements.actions import create_achievement
    from credstack.integrations import signatures
    from credstack.integrations.actions import create_endpoint
    from credstack.organizations.actions import create_organization

    call_command("migrate", verbosity=0)
    org = create_organization(slug="bench", name="Benchmark Institute")
    achievement = create_achievement(
        organization=org,
        slug="a",
        name="Python Basics",
        description="Six lessons.",
        criteria_narrative="Pass every quiz.",
    )
    endpoint = create_endpoint(
        org, name="ClassMarker", preset="classmarker", achievement=achievement, signing_secret="bench-secret"
    )
    base = json.loads("\n".join(line for line in SAMPLE.read_text().splitlines() if not line.startswith("#")))
    client = Client()

    def bodies(tag: str, percentage: float) -> list[bytes]:
        out = []
        for i in range(args.count):
            data = json.loads(json.dumps(base))
            data["result"].update(
                email=f"{tag}{i}@example.org",
                first="Learner",
                last=f"Número {i}",
                user_id=f"{tag}-{i}",
                percentage=percentage,
                passed=percentage >= 50,
            )
            out.append(json.dumps(data).encode())
        return out

    def run(batch: list[bytes], expect: str) -> float:
        start = time.perf_counter()
        for body in batch:
            header = signatures.expected("classmarker", "bench-secret", body)
            response = client.generic(
                "POST",
                f"/hooks/in/{endpoint.token}",
                body,
                content_type="application/json",
                headers={"X-Classmarker-Hmac-Sha256": header},
            )
            assert response.json()["outcome"] == expect, response.content
        return time.perf_counter() - start

    run(bodies("warm", 90.0)[:5], "issued")
    new = bodies("l", 90.0)
    print(f"database: {connection.vendor}; {args.count} deliveries per run, one at a time")
    for label, batch, expect in (
        ("new completions (issued)", new, "issued"),
        ("the same again (repeats)", new, "issued"),
        ("below the pass mark (skipped)", bodies("f", 20.0), "skipped"),
    ):
        elapsed = run(batch, expect)
        print(f"{label:32s} {args.count / elapsed:6.0f}/s  {elapsed / args.count * 1000:6.2f} ms each")

    teachable = create_endpoint(org, name="Teachable", preset="teachable", achievement=achievement)
    event = json.loads("\n".join(x for x in TEACHABLE.read_text().splitlines() if not x.startswith("#")))[0]
    arrays = []
    for a in range(max(1, args.count // PER_ARRAY)):
        items = []
        for i in range(PER_ARRAY):
            item = json.loads(json.dumps(event))
            item["hook_event_id"] = a * PER_ARRAY + i
            item["object"]["user"].update(email=f"t{a}-{i}@example.org", name=f"Learner {a}-{i}")
            items.append(item)
        arrays.append(json.dumps(items).encode())
    events = len(arrays) * PER_ARRAY
    print(f"Teachable: {len(arrays)} deliveries of {PER_ARRAY} events (a JSON array each)")
    for label, expect in (("new completions (issued)", "issued"), ("the same again (repeats)", "issued")):
        start = time.perf_counter()
        for body in arrays:
            response = client.post(f"/hooks/in/{teachable.token}", body, content_type="application/json")
            assert [r["outcome"] for r in response.json()["events"]] == [expect] * PER_ARRAY, response.content
        elapsed = time.perf_counter() - start
        print(f"{label:32s} {events / elapsed:6.0f}/s  {elapsed / events * 1000:6.2f} ms per event")


if __name__ == "__main__":
    main()
