"""Issuing and managing credentials over the API, as an integrating platform would."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from credstack.api.models import ApiKey
from credstack.cli import main
from credstack.credentials.models import Credential
from credstack.credentials.resolver import local_fetch
from credstack.vc import verify as vc_verify
from tests.unchanged import changes_nothing

pytestmark = pytest.mark.django_db

BODY = {"achievement": "python-basics", "recipient": {"name": "Grace Hopper", "email": "grace@example.org"}}


def test_issue_returns_a_signed_credential_that_verifies(api_for, org, achievement):
    body = {
        **BODY,
        "result": [
            {"value": "92", "resultDescription": "https://academy.example/a/python-basics#final-exam"}
        ],
        "evidence": [{"id": "https://lms.example/x/1", "name": "Project"}],
    }
    response = api_for(org, "issue").post("/api/v1/credentials", body)
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["state"] == "active" and data["recipient"]["name"] == "Grace Hopper"
    assert data["url"] == f"http://testserver/c/{data['id']}"
    signed = data["credential"]
    assert signed["credentialSubject"]["result"][0] == {
        "type": ["Result"],
        "value": "92",
        "resultDescription": "https://academy.example/a/python-basics#final-exam",
    }
    assert signed["evidence"][0]["id"] == "https://lms.example/x/1"
    assert vc_verify.verify_credential(signed, fetch=local_fetch).valid
    assert Credential.objects.get(public_id=data["id"]).source == "api"


@pytest.mark.parametrize(
    ("patch", "field", "message"),
    [
        ({"recipient": {"name": "Ada", "email": "nope"}}, "recipient_email", "not a valid email"),
        ({"recipient": {"name": "", "email": "a@example.org"}}, "recipient_name", "is required"),
        ({"recipient": {"email": "a@example.org"}}, "recipient.name", "Field required"),
        ({"achievement": "no-such-thing"}, None, None),
        ({"valid_until": "not a date"}, "valid_until", ""),
        # OB 3.0: a result's resultDescription is the id of a ResultDescription, not free text
        ({"result": [{"value": "92", "resultDescription": "Final exam"}]}, "result.0.resultDescription", ""),
    ],
)
def test_bad_requests_name_the_field_and_change_nothing(api_for, org, achievement, patch, field, message):
    client = api_for(org, "issue")
    with changes_nothing():
        response = client.post("/api/v1/credentials", {**BODY, **patch})
    assert response["Content-Type"] == "application/problem+json"
    if field is None:
        assert response.status_code == 404
    else:
        assert response.status_code == 422, response.content
        problem = response.json()
        assert any(e["field"] == field and message in e["message"] for e in problem["errors"]), problem
    assert Credential.objects.count() == 0


def test_idempotency_key_replays_the_first_response(api_for, org, achievement):
    client = api_for(org, "issue")
    first = client.post("/api/v1/credentials", BODY, headers={"Idempotency-Key": "lms-42"})
    second = client.post("/api/v1/credentials", BODY, headers={"Idempotency-Key": "lms-42"})
    assert first.status_code == second.status_code == 201
    assert first.json()["id"] == second.json()["id"]
    assert second["Idempotent-Replayed"] == "true"
    assert Credential.objects.count() == 1
    other = client.post(
        "/api/v1/credentials",
        {**BODY, "recipient": {"name": "X", "email": "x@example.org"}},
        headers={"Idempotency-Key": "lms-42"},
    )
    assert other.status_code == 422 and "different request" in other.json()["detail"]
    assert Credential.objects.count() == 1


@pytest.mark.django_db(transaction=True)  # threads with their own connections see only what is committed
def test_simultaneous_requests_with_one_key_issue_once(api_for, org, achievement):
    client_token = api_for(org, "issue").token
    results, barrier = [], threading.Barrier(4)

    def worker():
        from tests.api.conftest import ApiClient

        barrier.wait()
        try:
            results.append(
                ApiClient(client_token)
                .post("/api/v1/credentials", BODY, headers={"Idempotency-Key": "same"})
                .status_code
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert Credential.objects.count() == 1
    assert results.count(201) >= 1 and set(results) <= {201, 409}


def test_cursor_pagination_walks_everything_once(api_for, org, issue):
    issued = {issue(email=f"p{i}@example.org").public_id for i in range(12)}
    client, seen, cursor = api_for(org, "read"), [], None
    while True:
        page = client.get("/api/v1/credentials", limit=5, **({"cursor": cursor} if cursor else {})).json()
        seen += [c["id"] for c in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == 12 and set(seen) == issued
    bad = client.get("/api/v1/credentials", cursor="garbage")
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "cursor"


def test_filters(api_for, org, issue):
    a, b = issue(name="Ada", email="ada@example.org"), issue(name="Bob", email="bob@example.org")
    client = api_for(org, "issue")
    client.post(f"/api/v1/credentials/{b.public_id}/revoke", {"reason": "error"})
    assert [c["id"] for c in client.get("/api/v1/credentials", state="revoked").json()["items"]] == [
        b.public_id
    ]
    assert [c["id"] for c in client.get("/api/v1/credentials", email="ADA@example.org").json()["items"]] == [
        a.public_id
    ]
    assert [c["id"] for c in client.get("/api/v1/credentials", q="bo").json()["items"]] == [b.public_id]


def test_state_changes_and_conflicts(api_for, org, issue):
    credential = issue()
    client = api_for(org, "issue")
    assert (
        client.post(f"/api/v1/credentials/{credential.public_id}/revoke", {"reason": " "}).status_code == 422
    )
    assert (
        client.post(f"/api/v1/credentials/{credential.public_id}/suspend", {}).json()["state"] == "suspended"
    )
    assert (
        client.post(f"/api/v1/credentials/{credential.public_id}/reinstate", {}).json()["state"] == "active"
    )
    revoked = client.post(f"/api/v1/credentials/{credential.public_id}/revoke", {"reason": "fraud"}).json()
    assert revoked["state"] == "revoked" and revoked["revocation_reason"] == "fraud"
    conflict = client.post(f"/api/v1/credentials/{credential.public_id}/reinstate", {})
    assert conflict.status_code == 409 and "is revoked" in conflict.json()["detail"]


def test_rate_limit_answers_429_with_retry_after(api_for, org, settings):
    settings.CREDSTACK_API_RATE = "3/m"
    client = api_for(org, "read")
    codes = [client.get("/api/v1/achievements").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    limited = client.get("/api/v1/achievements")
    assert int(limited["Retry-After"]) >= 1
    assert limited.json()["title"] == "Too many requests"
    assert api_for(org, "read").get("/api/v1/achievements").status_code == 200  # per key


def test_apikey_cli_prints_the_key_once_and_stores_only_a_hash(org, capsys):
    assert main(["apikey", "create", "--org", "acme", "--scope", "issue", "--name", "Moodle"]) == 0
    token = capsys.readouterr().out.strip().splitlines()[-1]
    assert token.startswith("csk_")
    key = ApiKey.objects.get()
    assert key.scope == "issue" and token not in key.secret_hash and key.secret_hash == ApiKey.hash(token)
    from tests.api.conftest import ApiClient

    assert ApiClient(token).get("/api/v1/achievements").status_code == 200
    key.refresh_from_db()
    assert key.last_used_at is not None
    assert main(["apikey", "revoke", token]) == 0
    assert ApiClient(token).get("/api/v1/achievements").status_code == 401


@pytest.mark.parametrize(
    "params",
    [
        {"limit": 0},
        {"limit": 501},
        {"limit": "ten"},
        {"state": "lost"},
        {"issued_after": "0.5"},
        {"issued_before": "yesterday"},
    ],
)
def test_invalid_list_parameters_are_422_naming_the_field(api_for, org, params):
    response = api_for(org, "read").get("/api/v1/credentials", **params)
    assert response.status_code == 422, response.content
    assert {e["field"] for e in response.json()["errors"]} == set(params)


def test_an_oversized_body_is_413_and_changes_nothing(api_for, org, achievement, settings):
    body = {
        **BODY,
        "recipient": {"name": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 10), "email": "a@example.org"},
    }
    client = api_for(org, "issue")
    with changes_nothing():
        response = client.post("/api/v1/credentials", body)
    assert response.status_code == 413 and response["Content-Type"] == "application/problem+json"
    assert Credential.objects.count() == 0


def test_date_times_with_any_offset_python_accepts_are_taken_in_utc(api_for, org, issue):
    """Offsets up to ±24 h parse, but PostgreSQL only takes ±15:59: found by schemathesis as a 500."""
    issue()
    client = api_for(org, "read")
    response = client.get(
        "/api/v1/credentials",
        issued_after="2000-01-01T00:00:00-21:15",
        issued_before="6526-07-22T18:45:18-21:15",
    )
    assert response.status_code == 200, response.content
    assert len(response.json()["items"]) == 1
    late = client.get("/api/v1/credentials", issued_before="9999-12-31T23:00:00-21:15")
    assert late.status_code == 422 and late.json()["errors"][0]["field"] == "issued_before"
    assert "out of range" in late.json()["errors"][0]["message"]


def test_a_credentials_links_are_named_as_the_openapi_document_says(api_for, org, achievement):
    client = api_for(org, "issue")
    made = client.post("/api/v1/credentials", BODY).json()
    assert made["links"] == {"page": made["url"], "json": f"{made['url']}.json"}
    spec = client.get("/api/v1/openapi.json").json()
    assert set(spec["components"]["schemas"]["Links"]["properties"]) == {"page", "json"}
