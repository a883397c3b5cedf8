"""Every kind of credential credstack issues, in DCC's ``verifier-core`` (the Learner Credential Wallet's
verifier), as a wallet would check it.

verifier-core resolves the issuer's did:web and fetches the status list itself, over HTTP: here from the
test's own live server (the harness lets it reach loopback hosts only, https rewritten to http, since
did:web always names https). It also runs 1EdTech's OB 3.0 JSON Schema on the credential and shows the
errors to the holder; the schema is handed over from the project's copy (``tests/vc/schemas``).

Verdicts expected (decision 0032): issued, re-signed and CLR credentials valid with zero schema errors;
suspended and revoked credentials not valid, through their one ``suspension`` entry.
"""

from __future__ import annotations

import io
import itertools
import json
import re
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from credstack.api.actions import create_api_key
from credstack.credentials import actions
from credstack.credentials.models import Credential
from credstack.endorsements.actions import endorse, request_endorsement
from credstack.learning import actions as learning
from credstack.organizations.actions import create_organization, rotate_key
from tests.courses.factory import make_course

pytestmark = [pytest.mark.interop, pytest.mark.django_db]

SCHEMAS = Path(__file__).resolve().parents[1] / "vc" / "schemas"
OB3_SCHEMA = json.loads((SCHEMAS / "ob_v3p0_achievementcredential_schema.json").read_text(encoding="utf-8"))
# the URLs verifier-core fetches the schema from (VC 2.0 OpenBadgeCredential without credentialSchema)
SERVED = {
    "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json": OB3_SCHEMA,
}
_slugs = itertools.count(1)


@pytest.fixture
def org(db):
    """A fresh organization slug per test: verifier-core caches resolved DIDs for a few seconds, and each
    test's database makes new keys under the same live server's address."""
    return create_organization(
        slug=f"lab-{next(_slugs)}", name="Acme Training", url="https://acme.example", email="c@acme.example"
    )


@pytest.fixture(autouse=True)
def _one_platform_key(stable_platform_key):
    """What the platform signs (CLR exports, endorsements) meets the same key in every test of this
    process: verifier-core keeps the platform's DID document for 5 s (tests/conftest.py)."""


@pytest.fixture(autouse=True)
def served(live_server, settings):
    """Credentials issued under the live server's URL, so did:web and status lists resolve over HTTP."""
    settings.CREDSTACK_BASE_URL = live_server.url
    return live_server


def check(node_verifier, doc: dict) -> dict:
    return node_verifier.verifier_core(doc, served=SERVED)


def assert_valid(result: dict) -> None:
    assert result["valid"] is True, result["errors"]
    steps = {s["id"]: s["valid"] for s in result["verifierCore"]["log"]}
    assert steps["valid_signature"] is True and steps["expiration"] is True
    assert steps["suspension_status"] is True  # the status list was fetched from the live server and read


def assert_schema_clean(result: dict) -> None:
    [schema] = result["verifierCore"]["schema"]
    assert schema["valid"] is True and schema["errors"] == [], schema


def test_issued_through_the_api_and_in_bulk(node_verifier, org, achievement):
    api = Client(headers={"Authorization": f"Bearer {create_api_key(org, name='lms', scope='issue').secret}"})
    one = api.post(
        "/api/v1/credentials",
        {"achievement": "python-basics", "recipient": {"name": "Ada Lovelace", "email": "ada@example.org"}},
        content_type="application/json",
    )
    assert one.status_code == 201, one.content
    batch = api.post(
        "/api/v1/credentials/batches",
        {
            "achievement": "python-basics",
            "recipients": [
                {"name": "أحمد الفارسي", "email": "ahmad@example.org"},
                {"name": "李小龙", "email": "li@example.org", "score": "97"},
            ],
        },
        content_type="application/json",
    )
    assert batch.status_code == 202, batch.content
    credentials = list(Credential.objects.order_by("id"))
    assert [c.source for c in credentials][:1] == ["api"] and len(credentials) == 3
    for credential in credentials:
        result = check(node_verifier, credential.signed())
        assert_valid(result)
        assert_schema_clean(result)


def test_course_completion(node_verifier, org, achievement):
    course = make_course(org, achievement, lessons=2)
    enrolment = learning.enrol(course, learning.learner_for("ines@example.org", "Inès Progress"))
    for lesson in enrolment.version.lessons:
        learning.mark_read(enrolment, lesson["key"])
        question = lesson["quiz"]["questions"][0]
        attempt = learning.start_attempt(enrolment, lesson["key"])
        learning.submit_attempt(attempt, {question["key"]: "right"})
    enrolment.refresh_from_db()
    credential = enrolment.credential
    assert credential is not None and credential.source == "course"
    doc = credential.signed()
    assert doc["evidence"] and doc["credentialSubject"]["result"]  # the fuller shape: evidence, results
    result = check(node_verifier, doc)
    assert_valid(result)
    assert_schema_clean(result)


def test_expiry_change_suspension_revocation(node_verifier, issue):
    resigned, suspended, revoked = issue(), issue(email="s@example.org"), issue(email="r@example.org")
    actions.change_expiry(resigned, valid_until=timezone.now() + timedelta(days=400))
    resigned.refresh_from_db()
    assert "validUntil" in resigned.signed()
    result = check(node_verifier, resigned.signed())
    assert_valid(result)
    assert_schema_clean(result)

    actions.suspend_credential(suspended, reason="review")
    actions.revoke_credential(revoked, reason="issued in error")
    for credential in (suspended, revoked):
        credential.refresh_from_db()
        result = check(node_verifier, credential.signed())
        # the signature is fine; the one suspension entry (set for good on revocation) makes it not valid
        assert result["signatureValid"] is True, result["errors"]
        assert result["valid"] is False and result["suspended"] is True, result["verifierCore"]
        assert_schema_clean(result)

    actions.reinstate_credential(suspended)
    assert_valid(check(node_verifier, suspended.signed()))


def test_expired_credential_is_not_valid(node_verifier, issue):
    credential = issue(valid_until=timezone.now() - timedelta(days=1))
    result = check(node_verifier, credential.signed())
    steps = {s["id"]: s["valid"] for s in result["verifierCore"]["log"]}
    assert result["signatureValid"] is True and steps["expiration"] is False and result["valid"] is False


def test_old_credentials_verify_after_key_rotation(node_verifier, org, issue):
    before = issue()
    rotate_key(org)
    after = issue(email="after@example.org")
    for credential in (before, after):
        assert_valid(check(node_verifier, credential.signed()))


def test_after_a_compromised_key_the_re_signed_credential_verifies_and_the_old_copy_does_not(
    node_verifier, org, issue, django_capture_on_commit_callbacks
):
    credential = issue()
    old_copy = credential.signed()  # not checked before: verifier-core would keep that DID document a while
    with django_capture_on_commit_callbacks(execute=True):  # the re-signing task runs (decision 0054)
        actions.rotate_compromised_key(org, reason="the key leaked")
    credential.refresh_from_db()
    assert_valid(check(node_verifier, credential.signed()))
    refused = check(node_verifier, old_copy)  # its key is no longer in the DID document
    assert refused["valid"] is False and refused["signatureValid"] is False


def test_tampered_credential_is_refused(node_verifier, issue):
    doc = issue().signed()
    doc["credentialSubject"]["achievement"]["name"] = "Brain Surgery"
    result = check(node_verifier, doc)
    assert result["valid"] is False and result["signatureValid"] is False


def test_clr_export(node_verifier, issue, client):
    issue()
    mail.outbox.clear()
    assert client.post("/me/login", {"email": "ada@example.org"}).status_code == 302
    code = re.search(r"\b(\d{6})\b", mail.outbox[-1].subject).group(1)
    assert client.post("/me/login/code", {"code": code}).status_code == 302
    archive = zipfile.ZipFile(io.BytesIO(client.get("/me/export.zip").content))
    clr = json.loads(archive.read("portfolio-clr.json"))
    assert clr["type"] == ["VerifiableCredential", "ClrCredential"]
    result = check(node_verifier, clr)  # signed by the platform's did:web, served at /.well-known/did.json
    assert result["valid"] is True, result["errors"]
    assert result["verifierCore"]["schema"] == "NO_SCHEMA"  # verifier-core knows no CLR schema
    for inner in clr["credentialSubject"]["verifiableCredential"]:
        assert_valid(check(node_verifier, inner))


def test_endorsement_credential(node_verifier, org, issue, client):
    """An endorsement (decision 0053), signed by the platform's did:web, and the credential carrying it."""
    credential = issue()
    made = request_endorsement(org, target="credential", credential=credential, actor="test")
    endorsement = endorse(
        made.link.rsplit("/", 1)[-1], name="Institute of Data Engineers", comment="Rigorous."
    )
    result = check(node_verifier, json.loads(endorsement.document))
    assert result["signatureValid"] is True and result["valid"] is True, result["errors"]
    credential.refresh_from_db()
    assert_valid(check(node_verifier, credential.signed()))
