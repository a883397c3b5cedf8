"""REST Hooks for Zapier-style platforms: subscribe, receive signed events, unsubscribe, 410 Gone, samples."""

from __future__ import annotations

import json

import pytest
from standardwebhooks.webhooks import Webhook

from credstack.organizations.models import AuditEntry
from credstack.webhooks.models import WebhookEndpoint
from tests.webhooks.test_outbound import Receiver, headers_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def receiver(settings):
    settings.CREDSTACK_WEBHOOKS_ALLOW_PRIVATE = True  # the receiver listens on loopback
    r = Receiver()
    yield r
    r.close()


@pytest.fixture
def zap(api_for, org, receiver):
    """An automation platform's view: an admin key, and a subscription of its receiver to issuance."""
    client = api_for(org, "admin")
    created = client.post("/api/v1/hooks", {"target_url": receiver.url, "event": "credential.issued"})
    assert created.status_code == 201, created.content
    return client, created.json()


def test_a_subscribed_url_gets_each_issued_credential_signed(
    zap, receiver, issue, django_capture_on_commit_callbacks
):
    client, hook = zap
    assert hook["event"] == "credential.issued" and hook["target_url"] == receiver.url
    with django_capture_on_commit_callbacks(execute=True):
        credential = issue(name="Nguyễn Thị Mai")
    [request] = receiver.requests
    body = Webhook(hook["secret"]).verify(request["body"], headers_of(request))  # raises if forged
    assert body["type"] == "credential.issued"
    assert body["data"]["id"] == credential.public_id
    assert body["data"]["recipient"]["name"] == "Nguyễn Thị Mai"
    assert [h["id"] for h in client.get("/api/v1/hooks").json()] == [hook["id"]]
    entry = AuditEntry.objects.get(action="webhook.subscribed")
    assert entry.target == hook["id"] and "API key" in entry.actor_label


def test_after_unsubscribing_nothing_is_sent(zap, receiver, issue, django_capture_on_commit_callbacks):
    client, hook = zap
    assert client.request("DELETE", f"/api/v1/hooks/{hook['id']}").status_code == 204
    with django_capture_on_commit_callbacks(execute=True):
        issue()
    assert receiver.requests == []
    assert client.get("/api/v1/hooks").json() == []
    assert AuditEntry.objects.filter(action="webhook.unsubscribed", target=hook["id"]).count() == 1


def test_the_hooks_api_cannot_delete_an_endpoint_an_administrator_made(api_for, org, receiver):
    from credstack.webhooks.actions import create_endpoint

    endpoint = create_endpoint(org, url=receiver.url)
    client = api_for(org, "admin")
    assert client.request("DELETE", f"/api/v1/hooks/{endpoint.public_id}").status_code == 404
    assert client.get("/api/v1/hooks").json() == []  # administrators' endpoints are not listed as hooks
    assert WebhookEndpoint.objects.filter(pk=endpoint.pk).exists()


def test_a_receiver_answering_410_gone_is_unsubscribed(
    zap, receiver, issue, django_capture_on_commit_callbacks
):
    _client, hook = zap
    receiver.statuses = [410]
    with django_capture_on_commit_callbacks(execute=True):
        issue()
    assert len(receiver.requests) == 1
    assert not WebhookEndpoint.objects.filter(public_id=hook["id"]).exists()
    entry = AuditEntry.objects.get(action="webhook.unsubscribed", target=hook["id"])
    assert "410 Gone" in entry.detail


def test_an_administrators_endpoint_answering_410_is_turned_off_not_deleted(
    org, receiver, issue, django_capture_on_commit_callbacks
):
    from credstack.webhooks.actions import create_endpoint

    endpoint = create_endpoint(org, url=receiver.url, event_types=["credential.issued"])
    receiver.statuses = [410]
    with django_capture_on_commit_callbacks(execute=True):
        issue()
    endpoint.refresh_from_db()
    assert endpoint.enabled is False and "410 Gone" in endpoint.disabled_reason
    assert endpoint.deliveries.get().state == "failed"  # not retried


def test_bad_subscriptions_are_refused_with_the_field_and_change_nothing(api_for, org, settings):
    from tests.unchanged import changes_nothing

    settings.CREDSTACK_WEBHOOKS_ALLOW_PRIVATE = True
    client = api_for(org, "admin")
    with changes_nothing():
        unknown = client.post(
            "/api/v1/hooks", {"target_url": "http://127.0.0.1:9/z", "event": "credential.made"}
        )
        assert unknown.status_code == 422, unknown.content
        assert unknown.json()["errors"][0]["field"] == "event"
        assert "credential.issued" in unknown.json()["errors"][0]["message"]
        not_a_url = client.post(
            "/api/v1/hooks", {"target_url": "ftp://example.org/x", "event": "credential.issued"}
        )
        assert not_a_url.status_code == 422, not_a_url.content
    issue_key = api_for(org, "issue")
    assert (
        issue_key.post(
            "/api/v1/hooks", {"target_url": "http://127.0.0.1:9/z", "event": "credential.issued"}
        ).status_code
        == 403
    )


def test_samples_are_the_latest_real_bodies_or_one_example_of_the_same_shape(
    zap, receiver, issue, django_capture_on_commit_callbacks, api_for
):
    from credstack.organizations.actions import create_organization

    client, _hook = zap
    example = client.get("/api/v1/hooks/samples?event=credential.issued")
    assert example.status_code == 200, example.content
    [made_up] = example.json()
    with django_capture_on_commit_callbacks(execute=True):
        credential = issue(name="Zoë Ångström")
    [real] = client.get("/api/v1/hooks/samples?event=credential.issued").json()
    assert real == json.loads(receiver.requests[0]["body"])  # exactly what was sent
    assert real["data"]["id"] == credential.public_id

    def shape(value):
        if isinstance(value, dict):
            return {k: shape(v) for k, v in value.items()}
        return "value"

    assert shape(made_up) == shape(real)  # the example cannot drift from what is really sent
    rival = api_for(create_organization(slug="rival", name="Rival College"), "admin")
    assert rival.get("/api/v1/hooks/samples?event=credential.issued").json() == [made_up]  # not ours
    assert client.get("/api/v1/hooks/samples?event=credential.made").status_code == 404


def test_every_event_type_has_an_example_and_every_offered_event_has_a_sender():
    from credstack.webhooks import samples
    from credstack.webhooks.models import EVENT_TYPES

    for event_type in EVENT_TYPES:
        body = samples.example(event_type)
        assert body["type"] == event_type and body["data"]


def test_completing_a_pathway_sends_pathway_completed_with_the_example_shape(
    org, achievement, receiver, issue, django_capture_on_commit_callbacks
):
    from credstack.achievements.actions import create_achievement
    from credstack.pathways.actions import create_pathway
    from credstack.webhooks import samples
    from credstack.webhooks.actions import subscribe_hook

    stacked = create_achievement(
        organization=org, slug="stacked", name="Python Track", description="d", criteria_narrative="c"
    )
    create_pathway(achievement=stacked, components=[achievement])
    hook = subscribe_hook(org, target_url=receiver.url, event="pathway.completed")
    with django_capture_on_commit_callbacks(execute=True):
        issue(name="Ada Lovelace", email="ada@example.org")
    [request] = receiver.requests
    body = Webhook(hook.secret).verify(request["body"], headers_of(request))
    assert body["type"] == "pathway.completed"
    assert body["data"]["pathway"]["name"] == "Python Track"
    assert body["data"]["recipient"]["email"] == "ada@example.org"
    assert set(body["data"]) == set(samples.example("pathway.completed")["data"])
