"""An Idempotency-Key whose request died (the process was killed after or before the commit) does not
stay "in progress" for good: a retry after the request timeout takes it over and answers with the
credential issued before the crash, or issues it once if none was (issue 11)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from credstack.api.idempotency import issue_key
from credstack.api.models import ApiKey, IdempotencyRecord
from credstack.credentials.actions import issue_credential
from credstack.credentials.models import Credential

pytestmark = pytest.mark.django_db

BODY = {"achievement": "python-basics", "recipient": {"name": "Ada Lovelace", "email": "ada@example.org"}}
KEY = {"Idempotency-Key": "lms-42"}


def _died_while_running(client, seconds_ago: int, *, committed: bool, achievement):
    """What a request killed mid-way leaves: its record in progress and, if it got past the commit, the
    credential it issued (with the key the request carries). Made by running the request once, then
    putting the record back to "in progress", started ``seconds_ago``."""

    api_key = ApiKey.objects.get()
    first = client.post("/api/v1/credentials", BODY, headers=KEY)  # to learn the request's hash
    record = IdempotencyRecord.objects.get(api_key=api_key, key="lms-42")
    if not committed:
        Credential.objects.all().delete()
    IdempotencyRecord.objects.filter(pk=record.pk).update(
        status_code=None, response_body="", created_at=timezone.now() - timedelta(seconds=seconds_ago)
    )
    return first.json()["id"] if committed else None


def test_a_key_whose_request_died_after_the_commit_answers_with_that_credential(api_for, org, achievement):
    client = api_for(org, "issue")
    issued = _died_while_running(client, 600, committed=True, achievement=achievement)
    retry = client.post("/api/v1/credentials", BODY, headers=KEY)
    assert retry.status_code == 201, retry.content
    assert retry.json()["id"] == issued and Credential.objects.count() == 1
    again = client.post("/api/v1/credentials", BODY, headers=KEY)  # and from now on, the stored answer
    assert again["Idempotent-Replayed"] == "true" and again.json()["id"] == issued


def test_a_key_whose_request_died_before_the_commit_issues_once(api_for, org, achievement):
    client = api_for(org, "issue")
    _died_while_running(client, 600, committed=False, achievement=achievement)
    assert Credential.objects.count() == 0
    retry = client.post("/api/v1/credentials", BODY, headers=KEY)
    assert retry.status_code == 201 and Credential.objects.count() == 1


def test_a_key_still_running_is_not_taken_over(api_for, org, achievement):
    client = api_for(org, "issue")
    _died_while_running(client, 5, committed=True, achievement=achievement)
    busy = client.post("/api/v1/credentials", BODY, headers=KEY)
    assert busy.status_code == 409 and busy["Retry-After"] == "1"
    assert Credential.objects.count() == 1


def test_issuing_directly_with_the_same_key_finds_the_same_credential(api_for, org, achievement):
    client = api_for(org, "issue")
    made = client.post("/api/v1/credentials", BODY, headers=KEY).json()["id"]
    key = issue_key(ApiKey.objects.get(), "lms-42")
    again = issue_credential(
        achievement=achievement,
        recipient_name="Ada Lovelace",
        recipient_email="ada@example.org",
        idempotency_key=key,
    )
    assert again.public_id == made
