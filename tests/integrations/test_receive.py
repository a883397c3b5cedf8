"""The receiving URL: signatures, unreadable deliveries, repeats, replay, rotation."""

from __future__ import annotations

import json
import threading

import pytest
from django.db import connection

from credstack.credentials.models import Credential
from credstack.integrations import actions, queries
from credstack.integrations.models import InboundEndpoint, InboundEvent
from credstack.integrations.payloads import MAX_BODY_BYTES
from tests.unchanged import changes_nothing

from .conftest import sample

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("preset", ["typeform", "classmarker", "thinkific", "generic", "google_forms"])
def test_bad_signature_is_refused_and_nothing_is_stored(preset, make_endpoint, post_hook):
    endpoint = make_endpoint(preset)
    body, content_type = sample(preset)
    from credstack.integrations import presets, signatures

    header = signatures.SCHEMES[presets.preset(preset).signature][0]
    forged = {header: signatures.expected(presets.preset(preset).signature, "not-the-secret", body)}
    response = post_hook(endpoint, body, content_type, headers=forged)
    assert response.status_code == 401
    assert f"{header} header does not match" in response.json()["detail"]
    missing = post_hook(endpoint, body, content_type, sign=False)
    assert missing.status_code == 401 and f"{header} header is missing" in missing.json()["detail"]
    assert not InboundEvent.objects.exists() and not Credential.objects.exists()
    endpoint.refresh_from_db()
    assert endpoint.last_refused_at is not None and "missing" in endpoint.last_refused_reason


def test_tampered_body_fails_the_signature(make_endpoint, post_hook):
    endpoint = make_endpoint("typeform")
    body, _ = sample("typeform")
    from .conftest import signed_headers

    headers = signed_headers(endpoint, body)
    tampered = body.replace(b"grace@example.org", b"mallory@example.org")
    assert post_hook(endpoint, tampered, headers=headers, sign=False).status_code == 401
    assert not Credential.objects.exists()


def test_unsigned_deliveries_accepted_when_no_secret_is_set(make_endpoint, post_hook):
    endpoint = make_endpoint("typeform", signing_secret="")
    assert post_hook(endpoint, sample("typeform")[0], sign=False).json()["outcome"] == "issued"


def test_unknown_token_is_404(post_hook):
    response = post_hook("no-such-token", b"{}")
    assert response.status_code == 404 and response["Content-Type"] == "application/problem+json"


def test_get_is_405(make_endpoint, client):
    endpoint = make_endpoint()
    assert client.get(f"/hooks/in/{endpoint.token}").status_code == 405


def test_oversize_payload_is_413_and_stores_nothing(make_endpoint, post_hook):
    endpoint = make_endpoint(signing_secret="")
    body = json.dumps({"email": "a@example.org", "name": "A", "pad": "x" * MAX_BODY_BYTES}).encode()
    with changes_nothing():
        response = post_hook(endpoint, body)
    assert response.status_code == 413 and str(MAX_BODY_BYTES) in response.json()["detail"]
    assert not InboundEvent.objects.exists()


@pytest.mark.parametrize(
    "body, words",
    [
        (b'{"email": "a@example.org", "name": ', "malformed JSON: Expecting value at line 1, column 36"),
        (
            b'{"email": "a@example.org",\n "name": "A",}',
            "malformed JSON: Expecting property name enclosed in double quotes at line 2",
        ),
        (b"[1, 2]", "must be an object"),
        (b"", "the payload is empty"),
        (b'{"a": NaN}', "NaN is not valid JSON"),
        (b"\xff\xfe{}", "not UTF-8"),
        (b'{"a": "\x00"}', "NUL character"),
        (b'{"a": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", "malformed JSON"),
        (b'{"score": ' + b"9" * 5000 + b"}", "malformed JSON"),
    ],
)
def test_unreadable_payload_is_400_with_a_clear_message(body, words, make_endpoint, post_hook):
    endpoint = make_endpoint(signing_secret="")
    response = post_hook(endpoint, body)
    assert response.status_code == 400
    assert words in response.json()["detail"]
    assert not InboundEvent.objects.exists()


def test_multipart_is_415(make_endpoint, post_hook):
    endpoint = make_endpoint(signing_secret="")
    response = post_hook(endpoint, b"--x\r\n", content_type="multipart/form-data; boundary=x")
    assert response.status_code == 415


def test_disabled_endpoint_refuses(make_endpoint, post_hook):
    endpoint = make_endpoint(signing_secret="")
    actions.update_endpoint(endpoint, enabled=False)
    assert post_hook(endpoint, sample("generic")[0]).status_code == 403
    assert not InboundEvent.objects.exists()


def test_repeat_delivery_returns_the_first_outcome(make_endpoint, post_hook):
    endpoint = make_endpoint()
    body, _ = sample("generic")
    first = post_hook(endpoint, body)
    second = post_hook(endpoint, body)
    assert first.status_code == 202 and second.status_code == 200
    assert second.json()["duplicate"] is True and second.json()["event"] == first.json()["event"]
    assert second.json()["outcome"] == "issued"
    assert Credential.objects.count() == 1 and InboundEvent.objects.count() == 1


def test_without_an_event_id_the_body_digest_makes_repeats_harmless(make_endpoint, post_hook):
    endpoint = make_endpoint()
    body = json.dumps({"email": "ada@example.org", "name": "Ada Lovelace"}).encode()
    post_hook(endpoint, body)
    assert post_hook(endpoint, body).json()["duplicate"] is True
    assert InboundEvent.objects.get().source_event_id.startswith("sha256:")


def test_another_completion_of_the_same_learner_is_skipped_not_reissued(make_endpoint, post_hook):
    endpoint = make_endpoint()
    post_hook(endpoint, json.dumps({"id": "a1", "email": "ada@example.org", "name": "Ada"}).encode())
    answer = post_hook(
        endpoint, json.dumps({"id": "a2", "email": "ADA@example.org", "name": "Ada"}).encode()
    ).json()
    assert answer["outcome"] == "skipped" and "already has this credential" in answer["reason"]
    assert Credential.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_same_completion_three_times_twice_at_once_issues_one_credential(org, achievement):
    """Two deliveries at the same moment (threads with their own connections), then a third later."""
    from django.test import Client

    from .conftest import signed_headers

    endpoint = actions.create_endpoint(
        org, name="ClassMarker", preset="classmarker", achievement=achievement, signing_secret="s3"
    )
    body, _ = sample("classmarker")
    headers = signed_headers(endpoint, body)
    barrier = threading.Barrier(2)
    responses, errors = [], []

    def deliver():
        try:
            barrier.wait(timeout=30)
            responses.append(
                Client().generic(
                    "POST",
                    f"/hooks/in/{endpoint.token}",
                    body,
                    content_type="application/json",
                    headers=headers,
                )
            )
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    third = Client().generic(
        "POST", f"/hooks/in/{endpoint.token}", body, content_type="application/json", headers=headers
    )
    statuses = sorted(r.status_code for r in [*responses, third])
    assert statuses == [200, 200, 202], [r.content for r in [*responses, third]]
    assert Credential.objects.filter(recipient_email="mary@example.com").count() == 1
    assert InboundEvent.objects.count() == 1 and InboundEvent.objects.get().outcome == "issued"
    assert third.json()["outcome"] == "issued" and third.json()["duplicate"] is True


def test_failed_event_is_replayed_after_the_mapping_is_fixed(make_endpoint, post_hook):
    endpoint = make_endpoint(mapping={"email": "learner.mail"})
    body = json.dumps({"id": "r1", "learner": {"email": "ada@example.org"}, "name": "Ada Lovelace"}).encode()
    answer = post_hook(endpoint, body).json()
    assert answer["outcome"] == "failed"
    assert "Recipient email: nothing at 'learner.mail'" in answer["reason"]
    actions.update_endpoint(endpoint, mapping={**endpoint.mapping, "email": "learner.email"})
    event = actions.replay(InboundEvent.objects.get(public_id=answer["event"]))
    assert (
        event.outcome == "issued"
        and event.attempts == 2
        and event.credential.recipient_email == "ada@example.org"
    )
    with pytest.raises(actions.ReplayError):
        actions.replay(event)


def test_achievement_from_the_payload_scoped_to_the_organization(org, achievement, make_endpoint, post_hook):
    from credstack.achievements.actions import create_achievement
    from credstack.organizations.actions import create_organization
    from tests.api.conftest import other_org  # noqa: F401

    rival = create_organization(slug="rival2", name="Rival")
    create_achievement(
        organization=rival, slug="rival-only", name="Rival only", description="d", criteria_narrative="c"
    )
    endpoint = make_endpoint(achievement=None, mapping={"achievement": "course"})
    ok = post_hook(
        endpoint,
        json.dumps({"id": "1", "email": "a@example.org", "name": "A", "course": "python-basics"}).encode(),
    ).json()
    assert ok["outcome"] == "issued"
    assert Credential.objects.get(recipient_email="a@example.org").achievement == achievement
    by_id = post_hook(
        endpoint,
        json.dumps(
            {"id": "2", "email": "b@example.org", "name": "B", "course": achievement.public_id}
        ).encode(),
    ).json()
    assert by_id["outcome"] == "issued"
    foreign = post_hook(
        endpoint,
        json.dumps({"id": "3", "email": "c@example.org", "name": "C", "course": "rival-only"}).encode(),
    ).json()
    assert foreign["outcome"] == "failed"
    assert "'rival-only' (from 'course') is not an achievement of this organization" in foreign["reason"]


@pytest.mark.parametrize(
    "payload, words",
    [
        (
            {"id": "1", "email": "not-an-email", "name": "A"},
            "'not-an-email' (from 'email') is not a valid email address",
        ),
        ({"id": "2", "email": "a@example.org"}, "Recipient name: nothing at 'name'"),
        ({"id": "3", "email": "a@example.org", "name": "A\u0007B"}, "control character U+0007"),
        ({"id": "4", "email": {"nested": 1}, "name": "A"}, "Recipient email: 'email' is empty or not text"),
    ],
)
def test_bad_learner_data_fails_with_the_reason(payload, words, make_endpoint, post_hook):
    endpoint = make_endpoint(signing_secret="")
    answer = post_hook(endpoint, json.dumps(payload).encode()).json()
    assert answer["outcome"] == "failed" and words in answer["reason"], answer
    assert not Credential.objects.exists()


def test_names_in_every_script_and_form_posts(make_endpoint, post_hook):
    endpoint = make_endpoint(signing_secret="")
    for n, name in enumerate(["أميرة الحسن", "Đặng Thị Ngọc", "Ōkubo 大久保", "Zoë 🦊 O'Brien"]):
        body = f"id={n}&email=p{n}%40example.org&name={name}".encode()
        answer = post_hook(endpoint, body, content_type="application/x-www-form-urlencoded").json()
        assert answer["outcome"] == "issued", answer
        assert Credential.objects.get(recipient_email=f"p{n}@example.org").recipient_name == name


def test_rotating_the_url_retires_the_old_one(make_endpoint, post_hook):
    endpoint = make_endpoint(signing_secret="")
    old = endpoint.token
    actions.rotate_token(endpoint)
    assert post_hook(old, sample("generic")[0]).status_code == 404
    assert post_hook(endpoint, sample("generic")[0]).status_code == 202
    assert InboundEndpoint.objects.get().token != old


def test_preview_stores_and_issues_nothing(make_endpoint):
    endpoint = make_endpoint("classmarker")
    [(evaluation, event_id)], error = queries.preview(endpoint, sample("classmarker")[0])
    assert error == "" and evaluation.verdict == "issue" and evaluation.email == "mary@example.com"
    assert event_id == "103:3276524:1436263102"
    assert not InboundEvent.objects.exists() and not Credential.objects.exists()


@pytest.mark.parametrize(
    "kwargs, field",
    [
        ({"preset": "nope"}, "preset"),
        ({"mapping": {"email": ""}}, "mapping.email"),
        ({"mapping": {"colour": "x"}}, "mapping.colour"),
        ({"conditions": [{"path": "score", "operator": "gte", "value": "lots"}]}, "conditions.0.value"),
        ({"conditions": [{"path": "", "operator": "eq", "value": 1}]}, "conditions.0.path"),
        ({"conditions": [{"path": "a", "operator": "like", "value": 1}]}, "conditions.0.operator"),
        ({"name": "bad\x00name"}, "name"),
        ({"achievement": None}, "achievement"),
    ],
)
def test_bad_endpoint_settings_name_the_field(kwargs, field, org, achievement):
    from django.core.exceptions import ValidationError

    kwargs = {"name": "x", "preset": "generic", "achievement": achievement, **kwargs}
    with pytest.raises(ValidationError) as info:
        actions.create_endpoint(org, **kwargs)
    assert field in info.value.message_dict
    assert not InboundEndpoint.objects.exists()


def test_endpoint_whose_achievement_was_deleted_fails_clearly(make_endpoint, post_hook, achievement):
    endpoint = make_endpoint(signing_secret="")
    InboundEndpoint.objects.filter(pk=endpoint.pk).update(achievement=None)
    answer = post_hook(InboundEndpoint.objects.get(pk=endpoint.pk), sample("generic")[0]).json()
    assert answer["outcome"] == "failed" and "Achievement: none chosen" in answer["reason"]
    assert not Credential.objects.exists()
