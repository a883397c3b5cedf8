"""Issuing an achievement to someone who already holds an active credential for it asks first, the same
way through the workspace form, the JSON API, the command line and a bulk upload's dry run (issue 14):
the rule is ``issue_credential``'s (``AlreadyHeld``), the entry points only word it."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from credstack.api.actions import create_api_key
from credstack.cli import main
from credstack.credentials import actions
from credstack.credentials.models import Credential
from credstack.organizations.models import Membership
from credstack.workspace import bulk
from tests.workspace.conftest import make_user

ADA = {"name": "Ada Lovelace", "email": "ada@example.org"}


class Workspace:
    def __init__(self, org, capsys):
        user = make_user("issuer-acme@example.org")
        Membership.objects.create(organization=org, user=user, role="issuer")
        self.client, self.org = Client(), org
        self.client.force_login(user)

    def issue(self, achievement, choice: str = "") -> tuple[str, str]:
        """(what the page says, the credential id it landed on or "")."""
        data = {
            "achievement": achievement.public_id,
            "recipient_name": ADA["name"],
            "recipient_email": ADA["email"].upper(),  # the same person, however the email is typed
        }
        if choice:
            data["if_held"] = choice
        r = self.client.post(f"/w/{self.org.slug}/issue", data)
        if r.status_code == 302:
            return "", r["Location"].rstrip("/").rsplit("/", 1)[-1]
        page = r.content.decode()
        assert 'id="already-held"' in page
        for button in ("Issue anyway", "Replace: revoke", "Cancel"):
            assert button in page
        return page, ""


class Api:
    def __init__(self, org, capsys):
        self.token = create_api_key(org, name="LMS", scope="issue").secret
        self.client = Client()

    def issue(self, achievement, choice: str = "", key: str = "") -> tuple[str, str]:
        body = {"achievement": achievement.slug, "recipient": ADA}
        if choice == "issue":
            body["allow_duplicate"] = True
        headers = {"Authorization": f"Bearer {self.token}"}
        if key:
            headers["Idempotency-Key"] = key
        r = self.client.post(
            "/api/v1/credentials", json.dumps(body), content_type="application/json", headers=headers
        )
        if r.status_code == 201:
            return "", r.json()["id"]
        assert r.status_code == 409 and r["Content-Type"] == "application/problem+json"
        problem = r.json()
        assert problem["type"].endswith("already-held") and problem["title"] == "Already held"
        return f"{problem['detail']} {problem['errors'][0]['credential']}", ""


class Cli:
    def __init__(self, org, capsys):
        self.capsys = capsys

    def issue(self, achievement, choice: str = "") -> tuple[str, str]:
        argv = ["issue", "--org", "acme", "--achievement", achievement.slug, "--name", ADA["name"]]
        argv += ["--email", ADA["email"]] + (["--allow-duplicate"] if choice == "issue" else [])
        self.capsys.readouterr()
        code = main(argv)
        out, err = self.capsys.readouterr()
        if code == 0:
            return "", out.strip().rsplit("/", 1)[-1]
        assert code == 1 and err.startswith("credstack: ")
        return err, ""


WAYS = [Workspace, Api, Cli]


@pytest.mark.parametrize("way", WAYS, ids=lambda w: w.__name__)
def test_issuing_what_someone_holds_asks_first_then_issue_anyway_issues(way, org, achievement, capsys):
    held = actions.issue_credential(
        achievement=achievement, recipient_name="Ada", recipient_email=ADA["email"]
    )
    w = way(org, capsys)
    said, landed = w.issue(achievement)
    assert not landed and held.public_id in said  # the credential held is named
    assert Credential.objects.count() == 1  # nothing issued, no second email
    said, landed = w.issue(achievement, "issue")
    assert not said and Credential.objects.filter(public_id=landed, state="active").exists()
    assert Credential.objects.filter(state="active").count() == 2


@pytest.mark.parametrize("way", WAYS, ids=lambda w: w.__name__)
def test_a_revoked_suspended_or_expired_credential_is_not_held(way, org, achievement, capsys):
    from datetime import UTC, datetime

    revoked = actions.issue_credential(
        achievement=achievement, recipient_name="A", recipient_email=ADA["email"]
    )
    actions.revoke_credential(revoked, reason="mistake")
    suspended = actions.issue_credential(
        achievement=achievement, recipient_name="A", recipient_email=ADA["email"]
    )
    actions.suspend_credential(suspended)
    actions.issue_credential(
        achievement=achievement,
        recipient_name="A",
        recipient_email=ADA["email"],
        valid_until=datetime(2000, 1, 1, tzinfo=UTC),
    )
    said, landed = way(org, capsys).issue(achievement)
    assert not said and landed


def test_replace_from_the_form_revokes_the_old_one_pointing_at_the_new(org, achievement, capsys):
    held = actions.issue_credential(
        achievement=achievement, recipient_name="Ada", recipient_email=ADA["email"]
    )
    w = Workspace(org, capsys)
    w.issue(achievement)
    r = w.client.post(
        f"/w/{org.slug}/issue",
        {
            "achievement": achievement.public_id,
            "recipient_name": ADA["name"],
            "recipient_email": ADA["email"],
            "if_held": "replace",
            "held": held.public_id,
        },
        follow=True,
    )
    new = Credential.objects.get(state="active")
    assert f"{held.public_id} is revoked and points here" in r.content.decode()
    held.refresh_from_db()
    assert held.state == "revoked" and held.replaced_by == new
    assert held.revocation_reason == f"Replaced by {new.uri}"
    public = Client().get(f"/c/{held.public_id}").content.decode()
    assert "Replaced" in public and new.uri in public


def test_an_api_retry_with_the_same_idempotency_key_returns_the_credential_not_409(org, achievement, capsys):
    api = Api(org, capsys)
    said, first = api.issue(achievement, key="lms-42")
    assert not said and first
    said, again = api.issue(achievement, key="lms-42")
    assert not said and again == first
    said, _ = api.issue(achievement, key="lms-43")  # a new request for the same person: asks
    assert first in said and "allow_duplicate" in said


def test_the_openapi_documents_the_flag_and_the_409(org):
    spec = Client().get("/api/v1/openapi.json").json()
    issue = spec["paths"]["/api/v1/credentials"]["post"]
    assert "409" in issue["responses"]
    schema = json.dumps(spec["components"]["schemas"]["IssueIn"])
    assert "allow_duplicate" in schema and "409" in schema


def test_bulk_dry_run_warns_per_row_naming_the_credential_held(org, achievement, capsys, tmp_path):
    held = actions.issue_credential(
        achievement=achievement, recipient_name="Ada", recipient_email=ADA["email"]
    )
    data = b"name,email\nGrace Hopper,grace@example.org\nAda Lovelace,ADA@example.org\n"
    job = bulk.prepare_job(
        organization=org, achievement=achievement, filename="c.csv", data=data, kind="text/csv"
    )
    [row] = [r for r in job.rows.all() if r.problems]
    assert row.number == 3 and row.problems[0]["credential"] == held.public_id
    assert f"already holds Python Basics: credential {held.public_id}" in row.problems[0]["message"]
    assert job.valid == 1
    # the same warning from the command line's dry run
    sheet = tmp_path / "c.csv"
    sheet.write_bytes(data)
    capsys.readouterr()
    main(["bulk-issue", "--org", "acme", "--achievement", achievement.slug, "--dry-run", str(sheet)])
    err = capsys.readouterr().err
    assert f"row 3: email: ADA@example.org already holds Python Basics: credential {held.public_id}" in err
    assert Credential.objects.count() == 1
