"""The same credential change through the workspace, the JSON API and the ``credstack`` command gives the
same result, the same error and one audit row naming who made it (issue 10). Also: ``credential.expired``
reaches webhook subscribers once per expiry, ``credential.expiry_changed`` reaches them, and the API's
search finds what the workspace's search finds (decision 0024)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from credstack.api.actions import create_api_key
from credstack.cli import main
from credstack.credentials import actions
from credstack.credentials.models import Credential, CredentialEvent
from credstack.organizations.models import AuditEntry, Membership
from tests.workspace.conftest import make_user

NEW_EXPIRY = datetime(2031, 1, 1, 23, 59, 59, tzinfo=UTC)


class Workspace:
    """A signed-in issuer posting the credential page's forms."""

    kind = "user"

    def __init__(self, org):
        self.user = make_user("issuer-acme@example.org")
        Membership.objects.create(organization=org, user=self.user, role="issuer")
        self.client = Client()
        self.client.force_login(self.user)
        self.org = org
        self.label = self.user.email

    def do(self, credential, action, **fields) -> str:
        """Post the form; returns the page's error message ("" when it worked)."""
        data = {
            "revoke": lambda: {"reason": fields.get("reason", "")},
            "suspend": lambda: {"reason": fields.get("reason", "")},
            "reinstate": lambda: {"reason": fields.get("reason", "")},
            "correct": lambda: {"recipient_name": fields["name"], "reason": fields.get("reason", "")},
            "expiry": lambda: {"valid_until": fields["until"], "reason": fields.get("note", "")},
            "resend": dict,
            "renew": dict,
        }[action]()
        url = f"/w/{self.org.slug}/credentials/{credential.public_id}/{action}"
        response = self.client.post(url, data, follow=True)
        if 'name="confirmed"' in response.content.decode():  # revoke, suspend: the page asks first
            assert "What everyone checking it will see" in response.content.decode()
            response = self.client.post(url, {**data, "confirmed": "1"}, follow=True)
        assert response.status_code == 200
        errors = [str(m) for m in response.context["messages"] if m.level_tag == "error"]
        return " ".join(errors)


class Api:
    """A client with an API key of the organization (scope "issue")."""

    kind = "api_key"

    def __init__(self, org):
        new = create_api_key(org, name="LMS", scope="issue")
        self.token = new.secret
        self.label = f"API key LMS (csk_{new.api_key.prefix}_…)"
        self.client = Client()

    def do(self, credential, action, **fields) -> str:
        body = {
            "revoke": lambda: {"reason": fields.get("reason", "")},
            "suspend": lambda: {"reason": fields.get("reason", "")},
            "reinstate": lambda: {"reason": fields.get("reason", "")},
            "correct": lambda: {"recipient_name": fields["name"], "reason": fields.get("reason", "")},
            "expiry": lambda: {"valid_until": fields["until"] + "T23:59:59Z", "note": fields.get("note", "")},
            "resend": dict,
            "renew": dict,
        }[action]()
        response = self.client.post(
            f"/api/v1/credentials/{credential.public_id}/{action}",
            json.dumps(body),
            content_type="application/json",
            headers={"Authorization": f"Bearer {self.token}"},
        )
        if response.status_code < 300:
            return ""
        assert response["Content-Type"] == "application/problem+json"
        return response.json()["detail"]


class Cli:
    """The ``credstack`` command, run in this process."""

    kind = "cli"
    label = "command line"

    def __init__(self, org, capsys):
        self.capsys = capsys

    def do(self, credential, action, **fields) -> str:
        argv = {
            "revoke": lambda: ["--reason", fields.get("reason", "")],
            "suspend": lambda: ["--reason", fields.get("reason", "")],
            "reinstate": lambda: ["--reason", fields.get("reason", "")],
            "correct": lambda: ["--name", fields["name"], "--reason", fields.get("reason", "")],
            "expiry": lambda: ["--until", fields["until"], "--note", fields.get("note", "")],
            "resend": list,
            "renew": list,
        }[action]()
        self.capsys.readouterr()
        code = main([action, credential.public_id, *argv])
        out, err = self.capsys.readouterr()
        if code == 0:
            assert credential.public_id in out
            return ""
        assert err.startswith("credstack: ")
        return err.removeprefix("credstack: ").strip()


@pytest.fixture
def ways(org, capsys):
    return [Workspace(org), Api(org), Cli(org, capsys)]


def _state(credential: Credential) -> dict:
    """What a person sees of the credential after the change, without what differs by nature (ids,
    times, who): its state, reason, expiry, replacement, history and signed expiry."""
    c = Credential.objects.select_related("replaced_by").get(pk=credential.pk)
    new = c.replaced_by

    def same(text: str) -> str:
        return text.replace(new.uri, "<new>").replace(new.public_id, "<new>") if new else text

    return {
        "state": c.state,
        "reason": same(c.revocation_reason),
        "valid_until": c.valid_until,
        "signed_valid_until": c.signed().get("validUntil"),
        "replacement": (new.recipient_name, new.state, new.valid_until) if new else None,
        "history": [(e.kind, same(e.note)) for e in c.events.order_by("id")],
    }


def _audit(credential: Credential) -> list[tuple]:
    new = Credential.objects.filter(pk=credential.pk).values_list("replaced_by__public_id", flat=True)[0]
    return [
        (e.action, e.actor_kind, e.actor_label, e.detail.replace(new, "<new>") if new else e.detail)
        for e in AuditEntry.objects.filter(target=credential.public_id).order_by("id")
    ]


CHANGES = {
    "revoke": ({"reason": "Issued by mistake"}, "credential.revoke"),
    "suspend": ({"reason": "Under review"}, "credential.suspend"),
    "reinstate": ({"reason": "Review done"}, "credential.reinstate"),
    "correct": ({"name": "Ada King", "reason": "Married name"}, "credential.corrected"),
    "expiry": ({"until": "2031-01-01", "note": "Extended"}, "credential.expiry"),
    "resend": ({}, "credential.resend"),
    "renew": ({}, "credential.renewed"),
}


@pytest.mark.parametrize("action", list(CHANGES))
def test_the_same_change_three_ways(ways, issue, action, django_capture_on_commit_callbacks):
    fields, audit_action = CHANGES[action]
    results = []
    for way in ways:
        credential = issue()
        if action == "reinstate":
            actions.suspend_credential(credential)
        if action == "renew":  # due: it ends in a week
            Credential.objects.filter(pk=credential.pk).update(valid_until=timezone.now() + timedelta(days=7))
        AuditEntry.objects.all().delete()
        sent = len(mail.outbox)
        with django_capture_on_commit_callbacks(execute=True):
            assert way.do(credential, action, **fields) == "", way.kind
        # resend: the email again; correct, renew: the replacement's email; the others send none
        assert len(mail.outbox) == sent + (action in ("resend", "correct", "renew"))
        entries = _audit(credential)
        # one audit row, the action's, naming who made the change
        assert len(entries) == 1 and AuditEntry.objects.count() == 1, (way.kind, entries)
        name, kind, label, detail = entries[0]
        assert (name, kind) == (audit_action, way.kind)
        assert label.startswith(way.label)
        if action != "resend":  # the history's entry for the change names the person (workspace only)
            latest = Credential.objects.get(pk=credential.pk).events.last()
            assert latest.actor == (way.user if way.kind == "user" else None)
        state = _state(credential)
        if action == "renew":  # the renewal's end date is counted from the moment of each renewal
            name, new_state, until = state["replacement"]
            state["replacement"] = (name, new_state, until.date())
            state["valid_until"] = None  # each way's credential was made due a moment apart
        results.append((state, detail))
    assert results[0] == results[1] == results[2], results
    state, _ = results[0]
    expected_state = {
        "revoke": "revoked",
        "suspend": "suspended",
        "correct": "revoked",
        "renew": "revoked",
    }.get(action, "active")
    assert state["state"] == expected_state
    if action == "expiry":
        assert state["valid_until"] == NEW_EXPIRY and state["signed_valid_until"] == "2031-01-01T23:59:59Z"
    if action == "correct":
        assert state["replacement"] == ("Ada King", "active", None)
    if action == "renew":  # as long as it lasted (the achievement has no validity period): a week
        assert state["replacement"][:2] == ("Ada Lovelace", "active")
        assert state["replacement"][2] > (timezone.now() + timedelta(days=5)).date()
        assert state["reason"].startswith("Renewed: replaced by <new>")


BAD_REQUESTS = [
    # (action, fields, how the credential is before, the error every way reports)
    ("revoke", {"reason": "   "}, "active", "reason: a reason is required to revoke"),
    ("reinstate", {}, "active", "is active; cannot reinstate it"),
    ("correct", {"name": "Ada Lovelace", "reason": "typo"}, "active", "is unchanged"),
    ("expiry", {"until": "2000-01-01"}, "active", "valid_until: must be after the issue date"),
    ("suspend", {}, "revoked", "is revoked; cannot suspend it"),
]


@pytest.mark.parametrize(("action", "fields", "before", "error"), BAD_REQUESTS)
def test_a_bad_request_gets_the_same_error_three_ways_and_changes_nothing(
    ways, issue, action, fields, before, error
):
    for way in ways:
        credential = issue()
        if before == "revoked":
            actions.revoke_credential(credential, reason="fraud")
        AuditEntry.objects.all().delete()
        was = _state(credential)
        message = way.do(credential, action, **fields)
        assert error in message, (way.kind, message)
        if "is active" in error or "is revoked" in error:  # the state error names the credential
            assert message == f"credential {credential.public_id} {error}" or message.endswith(
                f"credential {credential.public_id} {error}"
            )
        assert _state(credential) == was
        assert not AuditEntry.objects.exists()
        assert Credential.objects.filter(recipient_name="Ada Lovelace").count() >= 1


def test_revoke_from_the_command_line_without_a_reason_fails(issue, capsys):
    credential = issue()
    code = main(["revoke", credential.public_id])
    _out, err = capsys.readouterr()
    assert code == 2
    assert err.strip() == "credstack: reason: a reason is required to revoke"
    credential.refresh_from_db()
    assert (
        credential.state == "active"
        and not AuditEntry.objects.filter(action__startswith="credential.").exists()
    )


def test_issuing_is_audited_for_people_keys_and_the_command_line_only(org, achievement, issue, capsys):
    workspace, api = Workspace(org), Api(org)
    response = workspace.client.post(
        f"/w/{org.slug}/issue",
        {
            "achievement": achievement.public_id,
            "recipient_name": "Grace Hopper",
            "recipient_email": "g@example.org",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    response = api.client.post(
        "/api/v1/credentials",
        json.dumps(
            {"achievement": "python-basics", "recipient": {"name": "Alan Turing", "email": "a@example.org"}}
        ),
        content_type="application/json",
        headers={"Authorization": f"Bearer {api.token}"},
    )
    assert response.status_code == 201
    code = main(
        ["issue", "--org", "acme", "--achievement", "python-basics", "--name", "Ada", "--email", "ada@ex.org"]
    )
    assert code == 0, capsys.readouterr().err
    issue(email="automatic@example.org")  # a system trigger (course, pathway, integration): no audit row
    rows = list(
        AuditEntry.objects.filter(action__startswith="credential.")
        .order_by("id")
        .values_list("action", "actor_kind", "detail")
    )
    assert rows == [
        ("credential.issued", "user", "g@example.org"),
        ("credential.issued", "api_key", "a@example.org"),
        ("credential.issued", "cli", "ada@ex.org"),
    ]
    by_workspace = Credential.objects.get(recipient_email="g@example.org")
    assert by_workspace.created_by == workspace.user


# ---- events ---------------------------------------------------------------------------------------


@pytest.fixture
def receiver(settings):
    from tests.webhooks.test_outbound import Receiver

    settings.CREDSTACK_WEBHOOKS_ALLOW_PRIVATE = True  # the receiver listens on loopback
    r = Receiver()
    yield r
    r.close()


def _received(receiver) -> list[tuple[str, str]]:
    return [(b["type"], b["data"]["id"]) for b in (json.loads(r["body"]) for r in receiver.requests)]


def test_credential_expired_is_delivered_once_per_expiry(
    org, issue, receiver, django_capture_on_commit_callbacks
):
    from credstack.scheduler import actions as scheduler
    from credstack.webhooks.actions import create_endpoint

    create_endpoint(org, url=receiver.url, event_types=["credential.expired", "credential.expiry_changed"])
    now = timezone.now()
    expiring = issue(valid_until=now + timedelta(days=1))
    issue(email="never@example.org")  # no expiry
    later = issue(email="later@example.org", valid_until=now + timedelta(days=30))
    revoked = issue(email="revoked@example.org", valid_until=now + timedelta(days=1))
    actions.revoke_credential(revoked, reason="fraud")
    with django_capture_on_commit_callbacks(execute=True):
        assert actions.announce_expired(now + timedelta(days=2)) == 1
        assert actions.announce_expired(now + timedelta(days=2)) == 0  # twice: nothing new
        assert actions.announce_expired(now + timedelta(days=3)) == 0
    assert _received(receiver) == [("credential.expired", expiring.public_id)]
    assert json.loads(receiver.requests[0]["body"])["data"]["state"] == "active"

    # a new expiry is announced to subscribers, and announced again when it passes
    with django_capture_on_commit_callbacks(execute=True):
        actions.change_expiry(expiring, valid_until=now + timedelta(days=10))
        assert actions.announce_expired(now + timedelta(days=3)) == 0
        assert actions.announce_expired(now + timedelta(days=11)) == 1
    assert _received(receiver)[1:] == [
        ("credential.expiry_changed", expiring.public_id),
        ("credential.expired", expiring.public_id),
    ]

    # the periodic job is registered and runs with the worker's clock: nothing is due yet
    with django_capture_on_commit_callbacks(execute=True):
        outcome = scheduler.run_due()
    assert outcome["credentials.announce_expired"] == "ok: 0"
    assert len(receiver.requests) == 3
    assert Credential.objects.get(pk=later.pk).expiry_announced_at is None


def test_expiry_changed_reaches_subscribers_from_every_way(
    org, issue, receiver, ways, django_capture_on_commit_callbacks
):
    from credstack.webhooks.actions import create_endpoint

    create_endpoint(org, url=receiver.url, event_types=["credential.expiry_changed"])
    credentials = [issue(email=f"e{i}@example.org") for i in range(3)]
    for way, credential in zip(ways, credentials, strict=True):
        with django_capture_on_commit_callbacks(execute=True):
            assert way.do(credential, "expiry", until="2031-01-01") == ""
    assert _received(receiver) == [("credential.expiry_changed", c.public_id) for c in credentials]
    body = json.loads(receiver.requests[0]["body"])
    assert body["data"]["valid_until"] == "2031-01-01T23:59:59+00:00"


# ---- one search -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "term",
    [
        "петров",
        "ПЕТРОВА",
        "lovel",
        "LOVELACE",
        "ÅNGSTRÖM",
        "zoë",
        "ada@example.org",
        "ADA@EXAMPLE.ORG",
        "王明",
    ],
)
def test_the_api_finds_what_the_workspace_finds(org, issue, term):
    from credstack.workspace.queries import credential_page

    issue(name="Ольга Петрова", email="olga@example.org")
    issue(name="Ada Lovelace", email="ada@example.org")
    issue(name="Zoë Ångström", email="zoe@example.org")
    issue(name="李王明", email="li@example.org")
    issue(name="Grace Hopper", email="grace@example.org")
    workspace = [c.public_id for c in credential_page(org, {"q": term}).items]
    api = Api(org)
    response = api.client.get(
        "/api/v1/credentials", {"q": term}, headers={"Authorization": f"Bearer {api.token}"}
    )
    found = [c["id"] for c in response.json()["items"]]
    assert found == workspace and len(found) == 1, (term, found, workspace)


def test_the_api_search_takes_a_credential_url_or_id(org, issue):
    credential = issue()
    issue(name="Grace Hopper", email="grace@example.org")
    api = Api(org)
    for q in (credential.uri, credential.public_id):
        response = api.client.get(
            "/api/v1/credentials", {"q": q}, headers={"Authorization": f"Bearer {api.token}"}
        )
        assert [c["id"] for c in response.json()["items"]] == [credential.public_id]


# ---- visibility -----------------------------------------------------------------------------------


def test_visibility_is_changed_by_its_action_and_audited(issue):
    credential = issue()
    changed = actions.set_visibility(credential, False)
    assert changed.is_public is False and Credential.objects.get(pk=credential.pk).is_public is False
    actions.set_visibility(credential, False)  # as it is: nothing changes, nothing is recorded
    assert list(
        AuditEntry.objects.filter(action__startswith="credential.").values_list("action", "detail")
    ) == [("credential.visibility", "private")]
    assert not CredentialEvent.objects.filter(credential=credential).exclude(kind="issued").exists()


def test_new_public_ids_never_begin_like_an_option():
    from credstack.ids import new_public_id

    firsts = {new_public_id()[0] for _ in range(3000)}
    assert not firsts & {"-", "_"}
    assert len(firsts) > 50  # still drawn from the whole alphabet


def test_an_old_id_that_begins_with_a_dash_is_revoked_after_double_dash(issue, capsys):
    credential = issue()
    Credential.objects.filter(pk=credential.pk).update(public_id="-X3V3aJ-wmCfncwiT7x5HA")
    assert main(["revoke", "--reason", "Issued by mistake", "--", "-X3V3aJ-wmCfncwiT7x5HA"]) == 0
    credential.refresh_from_db()
    assert credential.state == "revoked"
