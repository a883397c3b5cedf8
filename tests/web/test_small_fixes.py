"""The smaller things of issue 14 that add up: an expiring credential is not "yours for life", the sign-up
email does not greet "Hello from 127.0.0.1:8811", a tampered credential does not announce "Awarded to …",
and /verify writes dates as every other page does."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

import pytest
from django.core import mail

from credstack.credentials.models import Credential

pytestmark = pytest.mark.django_db


def test_the_issue_email_says_until_when_the_credential_expires(issue, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        issue(email="life@example.org")
        issue(email="expiring@example.org", valid_until=datetime(2028, 12, 5, tzinfo=UTC))
    by_address = {m.to[0]: m.body for m in mail.outbox}
    assert "It is yours for life:" in by_address["life@example.org"]
    assert "It is yours until 5 December 2028:" in by_address["expiring@example.org"]
    assert "for life:" not in by_address["expiring@example.org"]


def test_the_sign_up_email_greets_the_person_not_the_server(
    client, settings, django_capture_on_commit_callbacks
):
    settings.CREDSTACK_BASE_URL = "https://certificates.example.org"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/accounts/signup/",
            {
                "email": "new@uni.example",
                "password1": "a long pass phrase 42",
                "password2": "a long pass phrase 42",
            },
        )
    assert response.status_code == 302
    body = mail.outbox[-1].body
    assert body.startswith("Hello,\n")
    assert "Hello from" not in body and "testserver" not in body.split("\n")[0]
    assert "because user" not in body  # no username the person never chose
    assert "signed up for credstack with this email address (new@uni.example)" in body
    assert re.search(r"http://testserver/accounts/confirm-email/\S+", body)
    assert body.rstrip().endswith("— credstack\nhttps://certificates.example.org")


def test_a_tampered_credential_does_not_announce_whom_it_was_awarded_to(client, issue):
    credential = issue(name="Ada Lovelace")
    document = json.loads(credential.document)
    document["credentialSubject"]["name"] = "Mallory Forger"
    Credential.objects.filter(pk=credential.pk).update(
        document=json.dumps(document), recipient_name="Mallory Forger"
    )
    html = client.get(f"/c/{credential.public_id}").text
    assert 'data-state="invalid"' in html and "Not valid" in html
    assert "Awarded to" not in html
    assert "It names <strong>Mallory Forger</strong> as its holder, but its checks failed" in html


def test_verify_writes_dates_like_every_other_page(client, issue, settings):
    credential = issue(valid_until=datetime(2028, 12, 5, tzinfo=UTC))
    html = client.get("/verify", {"url": credential.uri}).text
    assert f"{credential.issued_at.day} {credential.issued_at:%B %Y}</time>" in html
    assert ">5 December 2028</time>" in html
    assert not re.search(r"<dd>\d{4}-\d{2}-\d{2}T", html)


def test_verify_shows_what_a_tampered_file_claims_as_a_claim(client, issue):
    document = json.loads(issue(name="Ada Lovelace").document)
    document["credentialSubject"]["name"] = "Mallory Forger"
    html = client.post("/verify", {"credential": json.dumps(document)}).text
    assert "Not valid" in html
    assert "<dt>Claims to be awarded to</dt><dd>Mallory Forger</dd>" in html
    assert "<dt>Awarded to</dt>" not in html


def test_the_home_page_speaks_plainly_and_lists_no_organizations(client, org):
    """Issue 14: the home page spoke jargon (eddsa-rdfc-2022) to people and listed every organization."""
    page = client.get("/").text
    assert "eddsa-rdfc-2022" not in page and "did:web" not in page
    assert "Acme Training" not in page
    for link in ('href="/verify"', 'href="/me/"', 'href="/accounts/login/"'):
        assert link in page
    assert "Certificates anyone can check" in page
