"""Every preset's sample payload (real shapes from each platform's documentation) issues the right
credential, and a payload failing the preset's condition is skipped with the reason."""

from __future__ import annotations

import json

import pytest

from credstack.credentials.models import Credential
from credstack.credentials.resolver import local_fetch
from credstack.integrations.models import InboundEvent
from tests.interop.conftest import node_verifier  # noqa: F401  (the session fixture)

from .conftest import sample

pytestmark = pytest.mark.django_db

EXPECTED = {
    # preset: (email, name, score written into the credential's result or None)
    "generic": ("ada@example.org", "Ada Lovelace", "92"),
    "zapier": ("zoe@example.org", "Zoë Kowalski", "88"),
    "make": ("li.wei@example.org", "李伟", "91"),
    "typeform": ("grace@example.org", "Grace Hopper", "9"),
    "google_forms": ("ada@example.org", "Ada Lovelace", "9"),
    "classmarker": ("mary@example.com", "Mary Williams", "75"),
    "moodle": ("karen@example.org", "Karen Spärck Jones", None),
    "thinkific": ("john@doe.com", "John Doe", None),
    "learndash": ("jon@doe.test", "jondoe", None),
    "teachable": ("amara.okafor@example.org", "Amara Okafor", None),
}


def _only_event(response) -> dict:
    """The result for the one event of a delivery (Teachable sends a JSON array, answered per event)."""
    answer = response.json()
    if "events" in answer:
        assert len(answer["events"]) == 1, answer
        return answer["events"][0]
    return answer


@pytest.mark.parametrize("preset", sorted(EXPECTED))
def test_sample_payload_issues_the_right_credential(preset, make_endpoint, post_hook, achievement):
    endpoint = make_endpoint(preset)
    body, content_type = sample(preset)
    response = post_hook(endpoint, body, content_type)
    assert response.status_code == 202, response.content
    answer = _only_event(response)
    assert answer["outcome"] == "issued", answer
    email, name, score = EXPECTED[preset]
    credential = Credential.objects.get(recipient_email=email)
    assert answer["credential"] == credential.uri
    assert credential.recipient_name == name
    assert credential.achievement == achievement and credential.source == "webhook"
    subject = credential.signed()["credentialSubject"]
    assert subject["name"] == name
    if score is None:
        assert "result" not in subject
    else:
        assert subject["result"][0]["value"] == score
    event = InboundEvent.objects.get(endpoint=endpoint)
    assert event.outcome == "issued" and event.credential == credential and event.recipient_email == email
    sent = json.loads(body) if content_type == "application/json" else None
    if isinstance(sent, list):  # each item of an array is stored as its own event
        assert json.loads(event.payload) == sent[0]
    else:
        assert event.payload == body.decode("utf-8")


@pytest.mark.interop
def test_typeform_credential_verifies_in_the_independent_verifier(
    make_endpoint,
    post_hook,
    org,
    node_verifier,  # noqa: F811
):
    endpoint = make_endpoint("typeform")
    body, content_type = sample("typeform")
    assert post_hook(endpoint, body, content_type).json()["outcome"] == "issued"
    credential = Credential.objects.get(recipient_email="grace@example.org")
    documents = {org.did: local_fetch(org.did)}
    entries = credential.signed()["credentialStatus"]
    for entry in entries if isinstance(entries, list) else [entries]:
        documents[entry["statusListCredential"]] = local_fetch(entry["statusListCredential"])
    result = node_verifier.verify(credential.signed(), documents, check_status=True)
    assert result["verified"] is True, result["errors"]
    assert result["revoked"] is False and result["suspended"] is False


def _json_sample(preset: str) -> dict:
    return json.loads(sample(preset)[0])


FAILING = {
    # preset: (change the sample so it fails the preset's condition, words the reason must contain)
    "classmarker": (lambda d: d["result"].update(passed=False, percentage=30.0), "result.passed is False"),
    "thinkific": (lambda d: d.update(action="progress"), "action is 'progress'; it must be 'completed'"),
    "typeform": (lambda d: d.update(event_type="form_partial"), "event_type is 'form_partial'"),
    "moodle": (lambda d: d.update(eventname="\\core\\event\\course_viewed"), "eventname is"),
    "learndash": (lambda d: d.pop("course_completed"), "course_completed is missing"),
    "teachable": (
        lambda d: d[0].update(type="Enrollment.created"),
        "type is 'Enrollment.created'; it must be 'Enrollment.completed'",
    ),
}


@pytest.mark.parametrize("preset", sorted(FAILING))
def test_payload_failing_the_condition_is_skipped_with_the_reason(preset, make_endpoint, post_hook):
    endpoint = make_endpoint(preset)
    data = _json_sample(preset)
    change, words = FAILING[preset]
    change(data)
    response = post_hook(endpoint, json.dumps(data).encode())
    assert response.status_code == 202
    answer = _only_event(response)
    assert answer["outcome"] == "skipped" and answer["credential"] is None
    assert words in answer["reason"] and answer["reason"].startswith("condition not met")
    assert not Credential.objects.exists()
    assert InboundEvent.objects.get(endpoint=endpoint).outcome == "skipped"


def test_score_condition_set_by_the_educator(make_endpoint, post_hook):
    endpoint = make_endpoint("generic", conditions=[{"path": "score", "operator": "gte", "value": 95}])
    response = post_hook(endpoint, sample("generic")[0])
    assert response.json()["outcome"] == "skipped"
    assert "score is 92; it must be ≥ 95" in response.json()["reason"]


def test_classmarker_verify_on_save_sample_is_skipped(make_endpoint, post_hook):
    endpoint = make_endpoint("classmarker")
    data = _json_sample("classmarker")
    data["payload_status"] = "verify"
    answer = post_hook(endpoint, json.dumps(data).encode()).json()
    assert answer["outcome"] == "skipped" and "payload_status must not be 'verify'" in answer["reason"]
