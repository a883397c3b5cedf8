"""Batches, corrections, expiry changes, resends and designs over the API."""

from __future__ import annotations

import pytest
from django.core import mail

from credstack.credentials.models import Credential
from credstack.credentials.resolver import local_fetch
from credstack.vc import verify as vc_verify

pytestmark = pytest.mark.django_db(transaction=True)

PEOPLE = [
    {"name": "Ada Lovelace", "email": "ada@example.org", "score": "97"},
    {"name": "أحمد الفارسي", "email": "ahmad@example.org", "fields": {"cohort": "Spring"}},
    {"name": "李小龙", "email": "li@example.org"},
]


def test_a_batch_issues_everyone_once_and_reports_progress(api_for, org, achievement, node_verifier):
    client = api_for(org, "issue")
    created = client.post(
        "/api/v1/credentials/batches", {"achievement": "python-basics", "recipients": PEOPLE}
    )
    assert created.status_code == 202, created.content
    batch = created.json()
    status = client.get(f"/api/v1/credentials/batches/{batch['id']}").json()  # tests run the job at once
    assert status["state"] == "done" and status["issued"] == 3 and status["percent"] == 100
    assert [r["outcome"] for r in status["rows"]] == ["issued"] * 3
    names = sorted(Credential.objects.values_list("recipient_name", flat=True))
    assert names == sorted(p["name"] for p in PEOPLE)
    for credential in Credential.objects.all():
        signed = credential.signed()
        assert vc_verify.verify_credential(signed, fetch=local_fetch).valid
        docs = {org.did: local_fetch(org.did)}
        assert node_verifier.verify(signed, docs)["verified"] is True

    again = client.post(
        "/api/v1/credentials/batches", {"achievement": "python-basics", "recipients": PEOPLE}
    ).json()
    again = client.get(f"/api/v1/credentials/batches/{again['id']}").json()
    assert again["issued"] == 0 and Credential.objects.count() == 3  # the same batch never issues twice


def test_invalid_rows_are_listed_by_index_and_field_and_nothing_is_issued(api_for, org, achievement):
    client = api_for(org, "issue")
    bad = [*PEOPLE[:1], {"name": "Bob", "email": "not-an-email"}, {"name": "", "email": "c@example.org"}]
    response = client.post("/api/v1/credentials/batches", {"achievement": "python-basics", "recipients": bad})
    assert response.status_code == 422, response.content
    fields = {e["field"] for e in response.json()["errors"]}
    assert {"recipients.1.email", "recipients.2.name"} <= fields
    assert Credential.objects.count() == 0
    skipping = client.post(
        "/api/v1/credentials/batches",
        {"achievement": "python-basics", "recipients": bad, "skip_invalid": True},
    )
    assert skipping.status_code == 202
    assert Credential.objects.count() == 1


def test_correct_replaces_and_revokes_the_old_one(api_for, org, issue):
    old = issue(name="Ada Lovelase")
    client = api_for(org, "issue")
    response = client.post(
        f"/api/v1/credentials/{old.public_id}/correct",
        {"recipient_name": "Ada Lovelace", "reason": "typo in the name"},
    )
    assert response.status_code == 201, response.content
    new = response.json()
    assert new["recipient"]["name"] == "Ada Lovelace" and new["id"] != old.public_id
    previous = client.get(f"/api/v1/credentials/{old.public_id}").json()
    assert previous["state"] == "revoked" and previous["replaced_by"] == new["url"]
    nothing = client.post(f"/api/v1/credentials/{new['id']}/correct", {"reason": "x"})
    assert nothing.status_code == 422


def test_expiry_change_resigns_under_the_same_id(api_for, org, issue):
    credential = issue()
    client = api_for(org, "issue")
    response = client.post(
        f"/api/v1/credentials/{credential.public_id}/expiry", {"valid_until": "2030-06-30T00:00:00Z"}
    )
    assert response.status_code == 200, response.content
    signed = response.json()["credential"]
    assert signed["id"] == credential.uri and signed["validUntil"] == "2030-06-30T00:00:00Z"
    assert vc_verify.verify_credential(signed, fetch=local_fetch).valid


def test_resend_emails_the_recipient_again(api_for, org, issue):
    credential = issue()
    before = len(mail.outbox)
    response = api_for(org, "issue").post(f"/api/v1/credentials/{credential.public_id}/resend")
    assert response.status_code == 202
    assert len(mail.outbox) == before + 1 and mail.outbox[-1].to == [credential.recipient_email]


def test_designs_are_listed_with_their_current_version(api_for, org):
    from credstack.designs.actions import create_design
    from credstack.render import builtin_design

    design = create_design(org, name="Gold frame", data=builtin_design("elegant", size="Letter"))
    client = api_for(org, "read")
    [listed] = client.get("/api/v1/designs").json()
    assert listed["id"] == design.public_id and listed["version"] == 1
    assert listed["template"] == "elegant" and listed["page"]["size"] == "Letter"
    assert client.get(f"/api/v1/designs/{design.public_id}").json()["name"] == "Gold frame"


def test_a_batch_keeps_every_value_exactly_as_sent(api_for, org, achievement):
    """The batch is read as JSON: names with the characters a CSV reader guesses delimiters and quotes
    from (semicolons, tabs, quotes, line breaks) reach the credential unchanged, and a field called
    like a fixed column stays a merge field."""
    client = api_for(org, "issue")
    people = [
        {"name": "x;'y';z", "email": "xyz@example.org"},  # made the CSV sniffer pick ';' (issue 13)
        {"name": "Renée O'Brien; Jr.", "email": "renee@example.org", "fields": {"note": 'said "hi"; left'}},
        {"name": "Tab\tSeparated; Name", "email": "tab@example.org", "fields": {"note": "a;b;c"}},
        {"name": 'Jean-Luc "JL" Picard', "email": "jl@example.org", "fields": {"note": "line one\nline two"}},
    ]
    created = client.post(
        "/api/v1/credentials/batches", {"achievement": "python-basics", "recipients": people}
    )
    assert created.status_code == 202, created.content
    status = client.get(f"/api/v1/credentials/batches/{created.json()['id']}").json()
    assert status["issued"] == 4, status
    by_email = {c.recipient_email: c for c in Credential.objects.all()}
    for person in people:
        credential = by_email[person["email"]]
        assert credential.recipient_name == person["name"].replace("\t", " ")
        assert credential.merge_fields.get("note") == person.get("fields", {}).get("note")
