"""/metrics: Prometheus text an operator (and an autoscaler) reads, never public (decision 0044)."""

from __future__ import annotations

import re

import pytest
from django_tasks import task
from prometheus_client.parser import text_string_to_metric_families

from credstack import taskqueues

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": taskqueues.ALL}}
TOKEN = "metrics-token-for-tests-0123456789"


@task()
def tidy_up() -> None:
    """A task for the queue gauge; never run here."""


def samples(client, **headers) -> dict[tuple[str, tuple], float]:
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}", **headers)
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/plain; version=0.0.4")
    found = {}
    for family in text_string_to_metric_families(response.content.decode()):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


@pytest.fixture
def scrape(settings, client):
    settings.CREDSTACK_METRICS_TOKEN = TOKEN
    settings.CREDSTACK_METRICS_DATABASE_SECONDS = 0  # counted at every scrape
    return lambda: samples(client)


def test_issuing_raises_the_issued_counter_and_the_latency_histogram(scrape, issue):
    before = scrape()
    issue(source="api")
    issue(email="grace@example.org", source="api")
    issue(email="linus@example.org", source="bulk")
    after = scrape()

    assert after[("credstack_credentials_issued_total", (("source", "api"),))] == 2
    assert after[("credstack_credentials_issued_total", (("source", "bulk"),))] == 1
    count = ("credstack_issuance_seconds_count", (("source", "api"),))
    assert after[count] - before.get(count, 0) == 2
    # the side effects of the three issues wait in the outbox (the test runs inside one transaction)
    pending = {k: v for k, v in after.items() if k[0] == "credstack_outbox_pending"}
    assert pending and all(v >= 1 for v in pending.values())
    assert any(dict(labels)["kind"] == "credential.issued" for _, labels in pending)


def test_the_database_figures_are_counted_once_for_a_while(scrape, settings, issue):
    """Several nodes scraped at once count the database once (the figures are shared through the cache)."""
    settings.CREDSTACK_METRICS_DATABASE_SECONDS = 10
    issue(source="api")
    first = scrape()
    issue(email="grace@example.org", source="api")
    second = scrape()
    key = ("credstack_credentials_issued_total", (("source", "api"),))
    assert first[key] == second[key] == 1
    count = ("credstack_issuance_seconds_count", (("source", "api"),))
    assert second[count] == first[count] + 1  # what the process measures is never held back
    settings.CREDSTACK_METRICS_DATABASE_SECONDS = 0
    assert scrape()[key] == 2


def test_per_organization_labels_when_asked(scrape, settings, issue):
    settings.CREDSTACK_METRICS_PER_ORG = True
    issue(source="cli")
    assert (
        scrape()[("credstack_credentials_issued_total", (("organization", "acme"), ("source", "cli")))] == 1
    )


def test_the_queue_gauge_counts_tasks_waiting_per_queue(scrape, settings, db):
    settings.TASKS = DB_TASKS
    key = ("credstack_tasks_queued", (("queue", "default"), ("task", f"{__name__}.tidy_up")))
    assert key not in scrape()
    tidy_up.enqueue()
    tidy_up.enqueue()
    tidy_up.using(queue_name="email").enqueue()
    found = scrape()
    assert found[key] == 2
    assert found[("credstack_tasks_queued", (("queue", "email"), ("task", f"{__name__}.tidy_up")))] == 1
    assert found[("credstack_tasks_oldest_queued_seconds", (("queue", "default"),))] >= 0


def test_request_and_database_metrics_from_django_prometheus(scrape, client, db):
    client.get("/healthz")
    found = scrape()
    assert any(name == "django_http_requests_before_middlewares_total" for name, _ in found)
    assert any(name.startswith("django_db_execute") for name, _ in found)


# ------------------------------------------------------------------------------------------ access control


def test_metrics_are_not_served_when_nothing_allows_them(client, db):
    response = client.get("/metrics")
    assert response.status_code == 404
    assert b"credstack_" not in response.content


def test_a_missing_or_wrong_token_is_refused(settings, client, db):
    settings.CREDSTACK_METRICS_TOKEN = TOKEN
    for headers in ({}, {"HTTP_AUTHORIZATION": "Bearer nope"}, {"HTTP_AUTHORIZATION": TOKEN}):
        response = client.get("/metrics", **headers)
        assert response.status_code == 401
        assert response["WWW-Authenticate"].startswith("Bearer")
        assert b"credstack_" not in response.content
    assert client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}").status_code == 200


def test_an_allowed_network_needs_no_token_and_a_proxy_cannot_smuggle_one(settings, client, db):
    settings.CREDSTACK_METRICS_NETWORKS = ["10.0.0.0/8"]
    settings.CREDSTACK_TRUSTED_PROXIES = ["127.0.0.1"]
    assert client.get("/metrics", REMOTE_ADDR="10.1.2.3").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="203.0.113.7").status_code == 401
    # through the trusted proxy, the client is the address it forwards: a public one is refused,
    # and a client cannot claim an inside address past the proxy
    public = client.get("/metrics", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.7")
    assert public.status_code == 401
    smuggled = client.get("/metrics", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="10.0.0.1, 203.0.113.7")
    assert smuggled.status_code == 401
    inside = client.get("/metrics", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="10.9.9.9")
    assert inside.status_code == 200


def test_probes_and_metrics_answer_whatever_the_host_header(settings, client, db):
    """Kubernetes probes and Prometheus reach a pod by its address, which ALLOWED_HOSTS does not name."""
    settings.ALLOWED_HOSTS = ["credentials.example.org"]
    settings.CREDSTACK_METRICS_TOKEN = TOKEN
    assert client.get("/livez", HTTP_HOST="10.42.0.7:8000").status_code == 200
    assert client.get("/readyz", HTTP_HOST="10.42.0.7:8000").status_code == 200
    auth = {"HTTP_AUTHORIZATION": f"Bearer {TOKEN}"}
    assert client.get("/metrics", HTTP_HOST="10.42.0.7:8000", **auth).status_code == 200
    assert client.get("/", HTTP_HOST="10.42.0.7:8000").status_code == 400  # everything else still checks it


def test_metric_names_follow_prometheus_conventions(scrape, issue):
    issue(source="api")
    for name, _ in scrape():
        assert re.fullmatch(r"[a-zA-Z_:][a-zA-Z0-9_:]*", name)
