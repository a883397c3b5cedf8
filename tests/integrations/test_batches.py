"""Deliveries that carry several events in a JSON array (Teachable sends every delivery that way):
each item is its own event, with its own id, outcome and replay; a bad item refuses the whole delivery."""

from __future__ import annotations

import json

import pytest

from credstack.credentials.models import Credential
from credstack.integrations import actions, queries
from credstack.integrations.models import InboundEvent

from .conftest import sample

pytestmark = pytest.mark.django_db


def _teachable_events() -> list[dict]:
    """The sample completion between two other Teachable events a school webhook may also send."""
    completion = json.loads(sample("teachable")[0])[0]
    user_created = {
        "type": "User.created",
        "id": 130780002,
        "livemode": True,
        "created": "2026-09-11T08:04:26+00:00",
        "hook_event_id": 879370002,
        "object": {"id": 130780002, "role": "student", "email": "new.learner@example.org", "name": "New"},
    }
    lecture_done = {
        "type": "LectureProgress.created",
        "id": 1750120003,
        "livemode": True,
        "created": "2026-09-11T14:50:16+00:00",
        "hook_event_id": 879390003,
        "object": {
            "id": 1750120003,
            "is_completed": True,
            "course_id": 2968001,
            "percent_complete": 40,
            "user": {"id": 130780003, "email": "lecture.learner@example.org", "name": "Lecture Learner"},
            "course": {"id": 2968001, "name": "Workplace First Aid"},
        },
    }
    return [user_created, completion, lecture_done]


def test_mixed_teachable_delivery_issues_only_for_the_completion(make_endpoint, post_hook):
    endpoint = make_endpoint("teachable")
    response = post_hook(endpoint, json.dumps(_teachable_events()).encode())
    assert response.status_code == 202
    results = response.json()["events"]
    assert [r["outcome"] for r in results] == ["skipped", "issued", "skipped"]
    # The User.created event has no object.user.email, but it is skipped for its type, not "failed".
    assert "type is 'User.created'; it must be 'Enrollment.completed'" in results[0]["reason"]
    assert "type is 'LectureProgress.created'" in results[2]["reason"]
    credential = Credential.objects.get()
    assert (
        credential.recipient_email == "amara.okafor@example.org"
        and results[1]["credential"] == credential.uri
    )
    events = {e.source_event_id: e for e in InboundEvent.objects.filter(endpoint=endpoint)}
    assert sorted(events) == ["879370002", "879390003", "879960001"]
    assert events["879960001"].credential == credential
    assert json.loads(events["879370002"].payload)["type"] == "User.created"


def test_redelivered_array_issues_nothing_more(make_endpoint, post_hook):
    endpoint = make_endpoint("teachable")
    body = json.dumps(_teachable_events()).encode()
    first = post_hook(endpoint, body).json()["events"]
    again = post_hook(endpoint, body)
    assert again.status_code == 200
    repeat = again.json()["events"]
    assert [r["duplicate"] for r in repeat] == [True, True, True]
    assert [r["event"] for r in repeat] == [r["event"] for r in first]
    assert Credential.objects.count() == 1 and InboundEvent.objects.count() == 3


def test_a_new_event_among_old_ones_is_processed(make_endpoint, post_hook):
    endpoint = make_endpoint("teachable")
    events = _teachable_events()
    post_hook(endpoint, json.dumps(events[:2]).encode())
    response = post_hook(endpoint, json.dumps(events).encode())
    assert response.status_code == 202  # one of the three is new
    assert [r["duplicate"] for r in response.json()["events"]] == [True, True, False]


def test_the_same_event_twice_in_one_array_counts_once(make_endpoint, post_hook):
    endpoint = make_endpoint("teachable")
    completion = _teachable_events()[1]
    results = post_hook(endpoint, json.dumps([completion, completion]).encode()).json()["events"]
    assert [(r["outcome"], r["duplicate"]) for r in results] == [("issued", False), ("issued", True)]
    assert Credential.objects.count() == 1


def test_generic_array_issues_one_credential_per_learner(make_endpoint, post_hook):
    endpoint = make_endpoint("generic", signing_secret="")
    items = [
        {"id": "a-1", "email": "ana@example.org", "name": "Ana Lima"},
        {"id": "a-2", "email": "bo@example.org", "name": "Bô Nguyễn"},
        {"id": "a-3", "email": "not-an-address", "name": "Broken Row"},
    ]
    results = post_hook(endpoint, json.dumps(items).encode()).json()["events"]
    assert [r["outcome"] for r in results] == ["issued", "issued", "failed"]
    assert "'not-an-address' (from 'email') is not a valid email address" in results[2]["reason"]
    assert sorted(Credential.objects.values_list("recipient_name", flat=True)) == ["Ana Lima", "Bô Nguyễn"]


@pytest.mark.parametrize(
    "body, words",
    [
        (b"[]", "the JSON array is empty"),
        (
            b'[{"id": 1, "email": "a@example.org", "name": "A"}, "oops"]',
            "item 2 of the JSON array is a string",
        ),
        (b'[{"id": 1}, [1, 2]]', "item 2 of the JSON array is an array"),
        (b'[{"id": 1}, null]', "item 2 of the JSON array is null"),
        (b'"just text"', "must be an object ({...}) or an array of objects, not a string"),
        (b"42", "not a number"),
    ],
)
def test_unusable_arrays_are_refused_whole(body, words, make_endpoint, post_hook):
    endpoint = make_endpoint("generic", signing_secret="")
    response = post_hook(endpoint, body)
    assert response.status_code == 400
    assert words in response.json()["detail"]
    assert not InboundEvent.objects.exists() and not Credential.objects.exists()


def test_too_many_events_in_one_delivery_is_refused(make_endpoint, post_hook):
    endpoint = make_endpoint("generic", signing_secret="")
    items = [{"id": f"e{i}", "email": f"l{i}@example.org", "name": f"L {i}"} for i in range(101)]
    response = post_hook(endpoint, json.dumps(items).encode())
    assert response.status_code == 400
    assert "holds 101 events; at most 100" in response.json()["detail"]
    assert not InboundEvent.objects.exists()


def test_signature_covers_the_whole_array(make_endpoint, post_hook):
    endpoint = make_endpoint("generic")  # signed: X-Credstack-Signature over the raw body
    items = [{"id": "s-1", "email": "sig@example.org", "name": "Sig Ned"}]
    assert post_hook(endpoint, json.dumps(items).encode(), sign=False).status_code == 401
    assert post_hook(endpoint, json.dumps(items).encode()).status_code == 202


def test_one_course_only_with_a_course_condition(make_endpoint, post_hook):
    endpoint = make_endpoint(
        "teachable",
        conditions=[
            {"path": "type", "operator": "eq", "value": "Enrollment.completed"},
            {"path": "object.course.id", "operator": "eq", "value": 2968001},
        ],
    )
    other = _teachable_events()[1]
    other = {
        **other,
        "hook_event_id": 879960099,
        "object": {**other["object"], "course": {"id": 1, "name": "X"}},
    }
    body = json.dumps([_teachable_events()[1], other]).encode()
    results = post_hook(endpoint, body).json()["events"]
    assert [r["outcome"] for r in results] == ["issued", "skipped"]
    assert "object.course.id is 1; it must be 2968001" in results[1]["reason"]


def test_an_item_of_an_array_is_replayed_on_its_own(make_endpoint, post_hook):
    endpoint = make_endpoint(
        "teachable", mapping={"email": "object.learner.email", "name": "object.user.name"}
    )
    result = post_hook(endpoint, sample("teachable")[0]).json()["events"][0]
    assert result["outcome"] == "failed" and "nothing at 'object.learner.email'" in result["reason"]
    actions.update_endpoint(endpoint, mapping={**endpoint.mapping, "email": "object.user.email"})
    event = actions.replay(InboundEvent.objects.get(public_id=result["event"]))
    assert event.outcome == "issued" and event.credential.recipient_email == "amara.okafor@example.org"


def test_preview_shows_every_event_of_an_array(make_endpoint):
    endpoint = make_endpoint("teachable")
    items, error = queries.preview(endpoint, json.dumps(_teachable_events()).encode())
    assert error == ""
    assert [ev.verdict for ev, _ in items] == ["skipped", "issue", "skipped"]
    assert [event_id for _, event_id in items] == ["879370002", "879960001", "879390003"]
    assert not InboundEvent.objects.exists() and not Credential.objects.exists()
