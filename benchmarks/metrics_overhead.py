"""CPU cost of the operations middleware on the hottest path: a stranger's cached credential page.

Three modes, each in a fresh process: ``off`` (no django-prometheus middleware, Django's own database
backend), ``on`` (as shipped, one process), ``multi`` (as shipped under ``credstack serve``:
``PROMETHEUS_MULTIPROC_DIR`` set). Django's test client in process, 300 warm-up requests, then 5 x 1,000;
CPU time per request. Run: ``PYTHONPATH=src python benchmarks/metrics_overhead.py on``; results in
``benchmarks/RESULTS.md``.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time


def main(mode: str) -> None:
    if mode == "multi":
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp()
    if mode == "off":
        os.environ["CREDSTACK_DB_METRICS"] = "0"
    os.environ["CREDSTACK_HOME"] = tempfile.mkdtemp()
    os.environ["CREDSTACK_SECRET_KEY"] = "bench-" + "x" * 50
    os.environ["DJANGO_SETTINGS_MODULE"] = "credstack.config.settings"
    import django  # after the environment above: the settings read it once

    django.setup()
    from django.conf import settings  # after django.setup()
    from django.core.management import call_command  # after django.setup()
    from django.test import Client  # after django.setup()

    from credstack.achievements.actions import create_achievement  # needs the models: after django.setup()
    from credstack.credentials.actions import issue_credential  # needs the models: after django.setup()
    from credstack.organizations.actions import create_organization  # needs the models: after setup

    if mode == "off":
        settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if "prometheus" not in m]
    call_command("migrate", verbosity=0)
    org = create_organization(slug="acme", name="Acme", url="https://acme.example", email="c@acme.example")
    ach = create_achievement(organization=org, slug="p", name="P", description="d", criteria_narrative="c")
    cred = issue_credential(achievement=ach, recipient_name="Ada", recipient_email="ada@example.org")
    client = Client(HTTP_HOST="127.0.0.1")
    for _ in range(300):
        assert client.get(f"/c/{cred.public_id}").status_code == 200
    runs = []
    for _ in range(5):
        started = time.process_time()
        for _ in range(1000):
            client.get(f"/c/{cred.public_id}")
        runs.append((time.process_time() - started) / 1000 * 1e6)
    runs.sort()
    print(f"{mode}: µs CPU per cached page request, best of 5: {runs[0]:.0f}, median: {runs[2]:.0f}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "on")
