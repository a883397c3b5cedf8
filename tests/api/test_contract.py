"""Every endpoint, declared once: authentication, scopes, tenant isolation and problem details.

The list of operations comes from the API's own OpenAPI document: an operation added to the API without a
line in ENDPOINTS fails every test below with its name, and a line for an operation that no longer exists
fails too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from tests.shared_data import acme, python_basics, shared_rows
from tests.unchanged import changes_nothing

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str  # {achievement} and {credential} are filled in per test
    scope: str
    body: dict | None = field(default=None, hash=False)
    ok: int = 200

    @property
    def tenant_scoped(self) -> bool:
        return "{" in self.path

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


ISSUE_BODY = {
    "achievement": "python-basics",
    "recipient": {"name": "Grace Hopper", "email": "grace@example.org"},  # ada holds it already
}
ENDPOINTS = [
    Endpoint("GET", "/api/v1/achievements", "read"),
    Endpoint("GET", "/api/v1/achievements/{achievement}", "read"),
    Endpoint("POST", "/api/v1/credentials", "issue", ISSUE_BODY, ok=201),
    Endpoint("GET", "/api/v1/credentials", "read"),
    Endpoint("GET", "/api/v1/credentials/{credential}", "read"),
    Endpoint("POST", "/api/v1/credentials/{credential}/suspend", "issue", {"reason": "review"}),
    Endpoint("POST", "/api/v1/credentials/{credential}/revoke", "issue", {"reason": "error"}),
    Endpoint("GET", "/api/v1/webhooks/endpoints", "admin"),
    Endpoint("POST", "/api/v1/webhooks/endpoints", "admin", {"url": "http://127.0.0.1:9/hook"}, ok=201),
    Endpoint("PATCH", "/api/v1/webhooks/endpoints/{endpoint}", "admin", {"enabled": False}),
    Endpoint("GET", "/api/v1/webhooks/endpoints/{endpoint}/deliveries", "admin"),
    Endpoint("POST", "/api/v1/webhooks/endpoints/{endpoint}/rotate-secret", "admin"),
    Endpoint("DELETE", "/api/v1/webhooks/endpoints/{endpoint}/previous-secret", "admin", ok=204),
    Endpoint("POST", "/api/v1/webhooks/endpoints/{endpoint}/deliveries/redeliver-failed", "admin", ok=202),
    Endpoint("DELETE", "/api/v1/webhooks/endpoints/{endpoint}", "admin", ok=204),
    Endpoint("GET", "/api/v1/courses", "read"),
    Endpoint("GET", "/api/v1/courses/{course}", "read"),
    Endpoint("GET", "/api/v1/courses/{course}/enrolments", "read"),
    Endpoint(
        "POST",
        "/api/v1/courses/{course}/enrolments",
        "issue",
        {"email": "new@example.org", "name": "Nia"},
        ok=201,
    ),
    Endpoint("GET", "/api/v1/pathways", "read"),
    Endpoint("GET", "/api/v1/pathways/{pathway}", "read"),
    Endpoint("GET", "/api/v1/pathways/{pathway}/progress?email=ada@example.org", "read"),
    Endpoint("GET", "/api/v1/recipients", "read"),
    Endpoint(
        "POST",
        "/api/v1/credentials/batches",
        "issue",
        {"achievement": "python-basics", "recipients": [{"name": "Kim", "email": "kim@example.org"}]},
        ok=202,
    ),
    Endpoint("GET", "/api/v1/credentials/batches/{batch}", "read"),
    Endpoint(
        "POST",
        "/api/v1/credentials/{credential}/correct",
        "issue",
        {"recipient_name": "Ada King", "reason": "name change"},
        ok=201,
    ),
    Endpoint(
        "POST", "/api/v1/credentials/{credential}/expiry", "issue", {"valid_until": "2031-01-01T00:00:00Z"}
    ),
    Endpoint("POST", "/api/v1/credentials/{credential}/resend", "issue", ok=202),
    Endpoint("POST", "/api/v1/credentials/{expiring}/renew", "issue", ok=201),
    Endpoint("GET", "/api/v1/designs", "read"),
    Endpoint("GET", "/api/v1/designs/{design}", "read"),
    Endpoint("POST", "/api/v1/credentials/{suspended}/reinstate", "issue", {"reason": "cleared"}),
    Endpoint("POST", "/api/v1/webhooks/endpoints/{endpoint}/deliveries/{delivery}/redeliver", "admin"),
    Endpoint("GET", "/api/v1/hooks", "admin"),
    Endpoint(
        "POST",
        "/api/v1/hooks",
        "admin",
        {"target_url": "http://127.0.0.1:9/zap", "event": "credential.issued"},
        ok=201,
    ),
    Endpoint("DELETE", "/api/v1/hooks/{hook}", "admin", ok=204),
    Endpoint("GET", "/api/v1/hooks/samples?event=credential.issued", "admin"),
    Endpoint("GET", "/api/v1/inbound/endpoints", "admin"),
    Endpoint(
        "POST",
        "/api/v1/inbound/endpoints",
        "admin",
        {"name": "LMS", "preset": "generic", "achievement": "python-basics"},
        ok=201,
    ),
    Endpoint("GET", "/api/v1/inbound/endpoints/{inbound}", "admin"),
    Endpoint("GET", "/api/v1/inbound/endpoints/{inbound}/events", "admin"),
    Endpoint("POST", "/api/v1/inbound/endpoints/{inbound}/events/{event}/replay", "admin"),
]
WEAKER = {"issue": "read", "admin": "issue"}


def _shape(method: str, path: str) -> str:
    """``GET /api/v1/credentials/{}``: an operation with its path parameters' names and the query left out."""
    return f"{method.upper()} {re.sub(r'{[^}]*}', '{}', path.split('?')[0])}"


def _operations() -> list[str]:
    from credstack.api.v1 import api

    return [_shape(method, path) for path, ops in api.get_openapi_schema()["paths"].items() for method in ops]


OPERATIONS = _operations()
DECLARED = {_shape(e.method, e.path): e for e in ENDPOINTS}


def declared(operation: str) -> Endpoint:
    if operation not in DECLARED:
        pytest.fail(f"{operation} has no declared expectations: add it to ENDPOINTS in {__name__}")
    return DECLARED[operation]


def operations_where(condition) -> list[str]:
    """The operations whose declaration meets ``condition``, and every undeclared one (which then fails)."""
    return [op for op in OPERATIONS if op not in DECLARED or condition(DECLARED[op])]


def test_every_declared_endpoint_is_an_operation_of_the_api():
    assert sorted(set(DECLARED) - set(OPERATIONS)) == []
    assert len(DECLARED) == len(ENDPOINTS), "an operation is declared twice"


def call(client, endpoint: Endpoint, ids: dict, **kw):
    path = endpoint.path.format(**ids)
    if endpoint.method == "GET":
        return client.get(path, **kw)
    return client.request(endpoint.method, path, endpoint.body, **kw)


def assert_problem(response, status: int):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status and body["title"]


def ids_of(org, achievement, credential) -> dict:
    from credstack.achievements.actions import create_achievement
    from credstack.credentials.actions import issue_credential, suspend_credential
    from credstack.designs.actions import create_design
    from credstack.integrations import actions as inbound
    from credstack.pathways.actions import create_pathway
    from credstack.render import builtin_design
    from credstack.webhooks.actions import create_endpoint, send_test_event, subscribe_hook
    from credstack.workspace.bulk import prepare_job
    from tests.courses.factory import make_course
    from tests.integrations.conftest import signed_headers

    endpoint = create_endpoint(org, url="http://127.0.0.1:9/hook")
    delivery = send_test_event(endpoint)
    rest_hook = subscribe_hook(org, target_url="http://127.0.0.1:9/zap", event="credential.revoked")
    suspended = suspend_credential(
        issue_credential(achievement=achievement, recipient_name="Sue", recipient_email="sue@example.org"),
        reason="review",
    )
    expiring = issue_credential(
        achievement=achievement,
        recipient_name="Eli",
        recipient_email="eli@example.org",
        valid_until=timezone.now() + timedelta(days=7),
    )
    hook = inbound.create_endpoint(org, name="LMS", preset="generic", achievement=achievement)
    body = b'{"id": "attempt-1", "email": "not an address", "name": "Ada"}'
    [(event, _)], _ = inbound.receive(hook, body, "application/json", signed_headers(hook, body))
    course = make_course(org, achievement, lessons=4)
    stacked = create_achievement(
        organization=org, slug="stacked", name="Stacked", description="d", criteria_narrative="c"
    )
    pathway = create_pathway(achievement=stacked, components=[achievement])
    design = create_design(org, name="Design", data=builtin_design("classic"))
    batch = prepare_job(
        organization=org,
        achievement=achievement,
        filename="b.csv",
        kind="text/csv",
        data=b"name,email\nLee,lee@example.org\n",
    )
    return {
        "design": design.public_id,
        "batch": batch.public_id,
        "achievement": achievement.public_id,
        "credential": credential.public_id,
        "endpoint": endpoint.public_id,
        "course": course.public_id,
        "pathway": pathway.public_id,
        "suspended": suspended.public_id,
        "delivery": delivery.pk,
        "inbound": hook.public_id,
        "event": event.public_id,
        "hook": rest_hook.public_id,
        "expiring": expiring.public_id,
    }


@pytest.fixture(autouse=True)
def _loopback_webhooks(settings):
    settings.CREDSTACK_WEBHOOKS_ALLOW_PRIVATE = True


@pytest.fixture(scope="module")
def target(django_db_setup, django_db_blocker):
    """The objects every operation names, built once for the module (shared_rows: each test runs in a
    savepoint and its writes are undone); the tests get their ids."""
    from credstack.credentials.actions import issue_credential

    with shared_rows(django_db_blocker), override_settings(CREDSTACK_WEBHOOKS_ALLOW_PRIVATE=True):
        # the same organization and achievement as the org and achievement fixtures of tests/conftest.py
        org = acme()
        achievement = python_basics(org)
        credential = issue_credential(
            achievement=achievement, recipient_name="Ada Lovelace", recipient_email="ada@example.org"
        )
        yield ids_of(org, achievement, credential)


@pytest.fixture
def org(target, db):
    from credstack.organizations.models import Organization

    return Organization.objects.get(slug="acme")


@pytest.fixture
def achievement(target, org):
    return org.achievements.get(slug="python-basics")


@pytest.mark.parametrize("operation", OPERATIONS)
def test_without_a_key_is_401(client, operation, target):
    endpoint = declared(operation)
    response = client.generic(endpoint.method, endpoint.path.format(**target))
    assert_problem(response, 401)
    assert response["WWW-Authenticate"] == "Bearer"


@pytest.mark.parametrize("operation", OPERATIONS)
def test_with_a_revoked_or_wrong_key_is_401(api_for, org, operation, target):
    from credstack.api.actions import revoke_api_key
    from credstack.api.models import ApiKey

    endpoint = declared(operation)
    client = api_for(org)
    revoke_api_key(ApiKey.objects.get())
    assert_problem(call(client, endpoint, target), 401)
    client.token = client.token[:-4] + "AAAA"
    assert_problem(call(client, endpoint, target), 401)


@pytest.mark.parametrize("operation", operations_where(lambda e: e.scope != "read"))
def test_a_weaker_scope_is_403(api_for, org, operation, target):
    endpoint = declared(operation)
    response = call(api_for(org, WEAKER[endpoint.scope]), endpoint, target)
    assert_problem(response, 403)
    assert f"needs '{endpoint.scope}'" in response.json()["detail"]


@pytest.mark.parametrize("operation", operations_where(lambda e: e.tenant_scoped))
def test_another_organizations_ids_are_404(api_for, org, operation, target, other_org):
    endpoint = declared(operation)
    other = ids_of(other_org["org"], other_org["achievement"], other_org["credential"])
    client = api_for(org)
    with changes_nothing():
        response = call(client, endpoint, other)
    assert_problem(response, 404)


@pytest.mark.parametrize("operation", OPERATIONS)
def test_the_right_scope_succeeds(api_for, org, operation, target):
    endpoint = declared(operation)
    response = call(api_for(org, endpoint.scope), endpoint, target)
    assert response.status_code == endpoint.ok, response.content


def test_lists_never_show_another_organization(api_for, org, target, other_org):
    client = api_for(org, "read")
    ids = [c["id"] for c in client.get("/api/v1/credentials").json()["items"]]
    assert other_org["credential"].public_id not in ids and target["credential"] in ids
    slugs = [a["name"] for a in client.get("/api/v1/achievements").json()]
    assert "Rival Python" not in slugs
