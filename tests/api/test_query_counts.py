"""Listing costs a fixed number of queries, however many rows the page holds (NetBox-style pinned counts).

A list that reads a related object row by row (an N+1) fails here as soon as the second page size is
tried. The counts are per request: the API key's lookup (with its organization), then the list's own
queries (the rows with their related objects in one query, and one per prefetched relation).
"""

from __future__ import annotations

import pytest

from credstack import taskqueues
from credstack.achievements.actions import create_achievement
from credstack.credentials.actions import correct_credential
from credstack.pathways.actions import create_pathway

pytestmark = pytest.mark.django_db

# one credential through the API (SQLite counts its savepoints): the key; the achievement, held check and
# versions; the transaction (key, domain, status slot, endorsements, four inserts); the worker's task
ISSUE = 19
DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": taskqueues.ALL}}
KEY = 1  # the API key, joined with its organization (its last use is written at most once a minute)


@pytest.fixture
def client(org, api_for):
    client = api_for(org, "read")
    assert client.get("/api/v1/achievements").status_code == 200  # the key's first use is written now
    return client


def _achievements(org, n: int) -> list:
    return [
        create_achievement(
            organization=org, slug=f"a{i}", name=f"Achievement {i}", description="d", criteria_narrative="c"
        )
        for i in range(n)
    ]


@pytest.mark.parametrize("rows", [1, 7])
def test_listing_credentials_costs_the_same_for_any_number_of_rows(
    client, org, achievement, issue, rows, django_assert_num_queries
):
    first = issue(email="first@example.org")
    others = _achievements(org, rows - 1)
    for i, other in enumerate(others):  # each with its own achievement, some replaced by a correction
        issue(email=f"r{i}@example.org", achievement=other)
    correct_credential(first, recipient_name="First Again", reason="typo")
    with django_assert_num_queries(KEY + 1):
        response = client.get("/api/v1/credentials")
    items = response.json()["items"]
    assert len(items) == rows + 1
    assert {i["achievement"]["name"] for i in items} == {"Python Basics"} | {a.name for a in others}
    assert [i["replaced_by"] is not None for i in items].count(True) == 1


@pytest.mark.parametrize("rows", [1, 7])
def test_listing_achievements_costs_the_same_for_any_number_of_rows(
    client, org, rows, django_assert_num_queries
):
    _achievements(org, rows)
    with django_assert_num_queries(KEY + 1):
        response = client.get("/api/v1/achievements")
    assert len(response.json()) == rows


@pytest.mark.parametrize("rows", [1, 5])
def test_listing_pathways_costs_the_same_for_any_number_of_rows(client, org, rows, django_assert_num_queries):
    components = _achievements(org, 3)
    for i in range(rows):
        stacked = create_achievement(
            organization=org, slug=f"stack{i}", name=f"Stack {i}", description="d", criteria_narrative="c"
        )
        create_pathway(achievement=stacked, components=components)
    with django_assert_num_queries(KEY + 2):  # the pathways with their achievement; their components
        response = client.get("/api/v1/pathways")
    body = response.json()
    assert len(body) == rows
    assert all([c["name"] for c in p["components"]] == [a.name for a in components] for p in body)


@pytest.mark.parametrize("holders", [0, 6])
def test_issuing_one_credential_costs_a_fixed_number_of_queries(
    org,
    achievement,
    api_for,
    issue,
    holders,
    settings,
    django_assert_max_num_queries,
    django_capture_on_commit_callbacks,
):
    """Everything the request does, after its commit included: the email, webhooks and pathways are
    handed to a worker in one queued task (decision 0068; 29 when the request ran them itself)."""
    settings.TASKS = DB_TASKS  # `credstack serve` without Redis: tasks wait in the database
    for i in range(holders):
        issue(email=f"h{i}@example.org")
    client = api_for(org, "issue")
    body = {"achievement": "python-basics", "recipient": {"name": "Ada", "email": "ada@example.org"}}
    assert client.post("/api/v1/credentials", body).status_code == 201  # the key's first use is written
    body["recipient"]["email"] = "grace@example.org"
    with (
        django_assert_max_num_queries(ISSUE) as captured,
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert client.post("/api/v1/credentials", body).status_code == 201
    # the already-held check reads the credentials alone: joined with the achievement, SQLite walked
    # every credential of it instead of the lower-cased email index
    [held] = [q["sql"] for q in captured.captured_queries if "LOWER(" in q["sql"].upper()]
    assert "JOIN" not in held.upper()
