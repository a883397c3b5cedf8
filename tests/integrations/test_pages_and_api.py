"""The educator's pages and the JSON API: roles, tenants (another organization's ids give 404), edits."""

from __future__ import annotations

import json

import pytest

from credstack.integrations import actions
from credstack.integrations.models import InboundEndpoint, InboundEvent
from tests.api.conftest import ApiClient
from tests.workspace.conftest import make_user

from .conftest import sample

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client, org):
    from credstack.organizations.models import Membership

    def _signed_in(role="admin", organization=None):
        user = make_user(f"{role}-{(organization or org).slug}@example.org")
        Membership.objects.create(organization=organization or org, user=user, role=role)
        client.force_login(user)
        return client

    return _signed_in


@pytest.fixture
def rival(db):
    from credstack.achievements.actions import create_achievement
    from credstack.organizations.actions import create_organization

    other = create_organization(slug="globex", name="Globex Academy")
    ach = create_achievement(
        organization=other, slug="secret", name="Secret", description="x", criteria_narrative="y"
    )
    endpoint = actions.create_endpoint(
        other, name="Globex hook", preset="generic", achievement=ach, signing_secret=""
    )
    from django.test import Client

    response = Client().post(
        f"/hooks/in/{endpoint.token}",
        "email=eve%40example.org&name=Eve&id=e1",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 202
    return {"org": other, "endpoint": endpoint, "event": InboundEvent.objects.get(endpoint=endpoint)}


def test_another_organizations_endpoint_ids_give_404_in_the_ui(signed_in, org, rival):
    client = signed_in("owner")
    e, ev = rival["endpoint"].public_id, rival["event"].public_id
    base = f"/w/{org.slug}/integrations/"
    assert client.get(base + f"{e}/").status_code == 404
    assert client.get(base + f"{e}/events/").status_code == 404
    for path in (f"{e}/preview", f"{e}/rotate", f"{e}/delete", f"{e}/events/{ev}/replay"):
        assert client.post(base + path, {"sample": "{}"}).status_code == 404, path
    assert client.get(f"/w/{rival['org'].slug}/integrations/").status_code == 404  # not a member
    token = rival["endpoint"].token
    assert InboundEndpoint.objects.get(pk=rival["endpoint"].pk).token == token  # nothing changed


def test_integrations_need_the_admin_role(signed_in, org):
    client = signed_in("issuer")
    assert client.get(f"/w/{org.slug}/integrations/").status_code == 403
    assert client.post(f"/w/{org.slug}/integrations/", {"preset": "generic", "name": "x"}).status_code == 403
    assert not InboundEndpoint.objects.exists()


def test_create_edit_preview_and_replay_in_the_ui(signed_in, org, achievement, post_hook):
    client = signed_in("admin")
    response = client.post(
        f"/w/{org.slug}/integrations/",
        {"preset": "classmarker", "name": "Final exam", "achievement": achievement.public_id},
    )
    endpoint = InboundEndpoint.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(
        f"/integrations/{endpoint.public_id}/"
    )
    page = client.get(response["Location"]).content.decode()
    assert endpoint.url in page and "X-Classmarker-Hmac-Sha256" in page

    # a bad edit names the field and changes nothing
    bad = client.post(
        f"/w/{org.slug}/integrations/{endpoint.public_id}/",
        {
            "name": "Final exam",
            "achievement": achievement.public_id,
            "map_email": "",
            "map_name": "result.first",
            "cond_path": ["result.percentage"],
            "cond_operator": ["gte"],
            "cond_value": ["80"],
            "enabled": "on",
        },
    )
    assert bad.status_code == 422 and "mapping.email" in bad.content.decode()
    endpoint.refresh_from_db()
    assert endpoint.mapping["email"] == "result.email"

    good = client.post(
        f"/w/{org.slug}/integrations/{endpoint.public_id}/",
        {
            "name": "Final exam",
            "achievement": achievement.public_id,
            "map_email": "result.email",
            "map_first_name": "result.first",
            "map_last_name": "result.last",
            "map_score": "result.percentage",
            "map_event_id": "result.user_id",
            "signing_secret": "phrase",
            "cond_path": ["result.percentage", ""],
            "cond_operator": ["gte", "eq"],
            "cond_value": ["80", ""],
            "enabled": "on",
        },
    )
    assert good.status_code == 302
    endpoint.refresh_from_db()
    assert endpoint.conditions == [{"path": "result.percentage", "operator": "gte", "value": 80}]
    assert endpoint.signing_secret == "phrase"

    preview = client.post(
        f"/w/{org.slug}/integrations/{endpoint.public_id}/preview",
        {"sample": sample("classmarker")[0].decode()},
    ).content.decode()
    assert "Would be skipped" in preview and "result.percentage is 75.0; it must be ≥ 80" in preview
    assert not InboundEvent.objects.exists()

    answer = post_hook(endpoint, sample("classmarker")[0]).json()
    assert answer["outcome"] == "skipped"
    actions.update_endpoint(
        endpoint, conditions=[{"path": "result.percentage", "operator": "gte", "value": 70}]
    )
    replay = client.post(f"/w/{org.slug}/integrations/{endpoint.public_id}/events/{answer['event']}/replay")
    assert replay.status_code == 302
    event = InboundEvent.objects.get()
    assert event.outcome == "issued" and event.credential.recipient_name == "Mary Williams"
    log = client.get(f"/w/{org.slug}/integrations/{endpoint.public_id}/events/").content.decode()
    assert "Mary Williams" in log and "Issued" in log


def test_google_forms_page_shows_the_apps_script_with_url_and_secret(signed_in, org, achievement):
    client = signed_in("admin")
    endpoint = actions.create_endpoint(org, name="Quiz", preset="google_forms", achievement=achievement)
    page = client.get(f"/w/{org.slug}/integrations/{endpoint.public_id}/").content.decode()
    assert "function onFormSubmit(e)" in page and endpoint.url in page and endpoint.signing_secret in page
    assert len(endpoint.signing_secret) >= 32


# ---------------------------------------------------------------- API


@pytest.fixture
def api(org):
    from credstack.api.actions import create_api_key

    return lambda scope="admin", o=None: ApiClient(
        create_api_key(o or org, name=f"k {scope}", scope=scope).secret
    )


def test_api_create_list_get_events_and_replay(api, org, achievement, post_hook):
    client = api()
    created = client.post(
        "/api/v1/inbound/endpoints",
        {
            "name": "Typeform quiz",
            "preset": "typeform",
            "achievement": "python-basics",
            "signing_secret": "tf",
        },
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["url"].endswith(InboundEndpoint.objects.get().token) and body["signing_secret"] == "tf"
    assert body["signature_header"] == "Typeform-Signature" and body["achievement"]["slug"] == "python-basics"
    assert [e["id"] for e in client.get("/api/v1/inbound/endpoints").json()] == [body["id"]]
    got = client.get(f"/api/v1/inbound/endpoints/{body['id']}").json()
    assert "signing_secret" not in got and got["has_signing_secret"] is True

    endpoint = InboundEndpoint.objects.get()
    data = json.loads(sample("typeform")[0])
    data["form_response"]["answers"][0]["field"]["ref"] = "full_name"  # the mapping expects ref "name"
    answer = post_hook(endpoint, json.dumps(data).encode()).json()
    assert answer["outcome"] == "failed"
    events = client.get(f"/api/v1/inbound/endpoints/{body['id']}/events").json()
    assert events[0]["outcome"] == "failed" and "answer.ref.name" in events[0]["reason"]
    actions.update_endpoint(endpoint, mapping={**endpoint.mapping, "name": "answer.ref.full_name"})
    replayed = client.post(f"/api/v1/inbound/endpoints/{body['id']}/events/{answer['event']}/replay")
    assert replayed.status_code == 200 and replayed.json()["outcome"] == "issued"
    assert replayed.json()["credential_url"].endswith(replayed.json()["credential"])
    again = client.post(f"/api/v1/inbound/endpoints/{body['id']}/events/{answer['event']}/replay")
    assert again.status_code == 409 and again["Content-Type"] == "application/problem+json"
    issued_only = client.get(f"/api/v1/inbound/endpoints/{body['id']}/events", outcome="issued").json()
    assert len(issued_only) == 1
    from credstack.organizations.models import AuditEntry

    by_key = AuditEntry.objects.filter(
        organization=org, actor_kind="api_key", actor_label__startswith="API key"
    )
    logged = list(
        by_key.filter(action__startswith="integration.").order_by("pk").values_list("action", "target")
    )
    assert logged == [
        ("integration.created", body["id"]),
        ("integration.event_replayed", answer["event"]),
    ]


def test_api_errors_name_the_field(api, achievement):
    client = api()
    response = client.post(
        "/api/v1/inbound/endpoints",
        {"preset": "generic", "mapping": {"email": ""}, "achievement": "python-basics"},
    )
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "mapping.email"
    response = client.post("/api/v1/inbound/endpoints", {"preset": "generic", "achievement": "nope"})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "achievement"
    assert client.post("/api/v1/inbound/endpoints", {"preset": "myspace"}).status_code == 422
    assert not InboundEndpoint.objects.exists()


def test_api_other_organizations_ids_give_404_and_scope_is_admin(api, rival):
    client = api()
    e, ev = rival["endpoint"].public_id, rival["event"].public_id
    assert client.get(f"/api/v1/inbound/endpoints/{e}").status_code == 404
    assert client.get(f"/api/v1/inbound/endpoints/{e}/events").status_code == 404
    assert client.post(f"/api/v1/inbound/endpoints/{e}/events/{ev}/replay").status_code == 404
    assert client.get("/api/v1/inbound/endpoints").json() == []
    assert api("issue").get("/api/v1/inbound/endpoints").status_code == 403


def test_changes_are_in_the_audit_log(signed_in, org, achievement):
    from credstack.organizations.models import AuditEntry

    client = signed_in("admin")
    client.post(
        f"/w/{org.slug}/integrations/",
        {"preset": "zapier", "name": "Zap", "achievement": achievement.public_id},
    )
    endpoint = InboundEndpoint.objects.get()
    client.post(f"/w/{org.slug}/integrations/{endpoint.public_id}/rotate")
    client.post(f"/w/{org.slug}/integrations/{endpoint.public_id}/delete")
    actions_logged = list(AuditEntry.objects.filter(organization=org).values_list("action", flat=True))
    assert {"integration.created", "integration.url_rotated", "integration.deleted"} <= set(actions_logged)
    assert not InboundEndpoint.objects.exists()
