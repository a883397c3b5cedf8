"""An event received and stored by a process that then died stays "received". The platform's repeat
used to get 200 {"duplicate": true} and stop retrying, and the learner never got the credential. Now a
repeat finishes it (and is told the real outcome), and a periodic sweep finishes those never repeated."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from credstack.credentials.models import Credential
from credstack.integrations import actions
from credstack.integrations.models import InboundEvent

from .conftest import sample

pytestmark = pytest.mark.django_db(transaction=True)  # issuance emails and webhooks run after commit


def _left_unprocessed(make_endpoint, post_hook, *, seconds_ago: int):
    """What a kill between storing and processing leaves: the event stored, outcome "received", no
    credential. Made by delivering once, then undoing the processing as the dead process never did it."""
    endpoint = make_endpoint("generic")
    body, kind = sample("generic")
    assert post_hook(endpoint, body, kind).status_code == 202
    event = InboundEvent.objects.get()
    Credential.objects.all().delete()
    InboundEvent.objects.filter(pk=event.pk).update(
        outcome="received",
        reason="",
        credential=None,
        processed_at=None,
        received_at=timezone.now() - timedelta(seconds=seconds_ago),
    )
    return endpoint, body, kind


def test_a_repeat_of_an_event_left_unprocessed_finishes_it(make_endpoint, post_hook):
    endpoint, body, kind = _left_unprocessed(make_endpoint, post_hook, seconds_ago=300)
    repeat = post_hook(endpoint, body, kind)
    assert repeat.status_code == 202, repeat.content  # processed now: not a duplicate
    event = InboundEvent.objects.get()
    assert event.outcome == "issued" and Credential.objects.count() == 1
    again = post_hook(endpoint, body, kind)
    assert again.status_code == 200 and again.json()["duplicate"] is True
    assert Credential.objects.count() == 1


def test_a_repeat_while_the_first_may_still_be_running_is_a_duplicate(make_endpoint, post_hook):
    endpoint, body, kind = _left_unprocessed(make_endpoint, post_hook, seconds_ago=5)
    repeat = post_hook(endpoint, body, kind)
    assert repeat.status_code == 200 and repeat.json()["duplicate"] is True
    assert Credential.objects.count() == 0


def test_the_sweep_finishes_events_never_repeated_once(make_endpoint, post_hook):
    _left_unprocessed(make_endpoint, post_hook, seconds_ago=300)
    assert actions.finish_unfinished() == 1
    assert InboundEvent.objects.get().outcome == "issued" and Credential.objects.count() == 1
    assert actions.finish_unfinished() == 0 and Credential.objects.count() == 1
