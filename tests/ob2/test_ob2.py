"""Open Badges 2.0 hosted documents, checked by 1EdTech's own validator (``openbadges`` on PyPI) with its
network calls served by a live credstack server."""

from __future__ import annotations

import json
import subprocess

import pytest

from credstack.credentials import actions
from credstack.vc import contexts, ob3

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def live_base(live_server, settings) -> str:
    settings.CREDSTACK_BASE_URL = live_server.url
    return live_server.url


def _validate(py, url: str, allow: str, *, file: str = "") -> dict:
    import tempfile

    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as tmp:
        json.dump(contexts.get("https://w3id.org/openbadges/v2"), tmp)  # credstack's bundled copy
    context_file = tmp.name
    proc = subprocess.run(
        [
            str(py),
            "tests/ob2/run_validator.py",
            *(["--file", file] if file else [url]),
            *["--context", str(context_file), "--allow", allow + "/"],
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout)


def test_validator_reports_the_hosted_assertion_valid(ob2_validator, live_base, issue):
    credential = issue(name="Ada Lovelace")
    result = _validate(ob2_validator, f"{credential.uri}/ob2", live_base)
    report = result["report"]
    assert report["valid"] is True, json.dumps(report, indent=1)
    assert report["errorCount"] == 0, report["messages"]
    types = {node.get("type") for node in result["graph"]}
    assert {"Assertion", "BadgeClass", "Issuer"} <= types
    assert all(u.startswith((live_base, "https://w3id.org/openbadges")) for u in result["requests"])
    # the recipient is the same hashed e-mail as in the OB 3.0 credential
    assertion = next(n for n in result["graph"] if n.get("type") == "Assertion")
    identity = credential.signed()["credentialSubject"]["identifier"][0]
    assert assertion["recipient"]["identity"] == identity["identityHash"]
    assert ob3.identity_hash("ada@example.org", assertion["recipient"]["salt"]) == identity["identityHash"]


@pytest.mark.parametrize("kind", ["png", "svg"])
def test_validator_unbakes_the_badge_and_finds_the_hosted_assertion(
    ob2_validator, live_base, issue, client, tmp_path, kind
):
    """1EdTech's validator takes the baked badge itself: ``openbadges_bakery`` reads the PNG's
    ``openbadges`` iTXt chunk (the assertion JSON) or the SVG's ``<openbadges:assertion>`` (its verify
    URL), then the validator checks the hosted assertion it names."""
    credential = issue(name="Zoë O'Brien 🎓")
    badge = tmp_path / f"badge.{kind}"
    badge.write_bytes(client.get(f"/c/{credential.public_id}.{kind}").content)
    result = _validate(ob2_validator, "", live_base, file=str(badge))
    report = result["report"]
    assert report["valid"] is True and report["errorCount"] == 0, json.dumps(report, indent=1)
    assertion = next(n for n in result["graph"] if n.get("type") == "Assertion")
    assert assertion["id"] == f"{credential.uri}/ob2"


@pytest.mark.parametrize(
    ("accept", "media_type"),
    [
        ("application/json", "application/json"),
        ("application/ld+json", "application/ld+json"),
        ("", "application/ld+json"),
        ("*/*", "application/ld+json"),
        ("text/html, application/json;q=0.9", "application/json"),
        ("application/json;q=0.5, application/ld+json", "application/ld+json"),
        ("application/ld+json;q=0.2, application/json;q=0.8", "application/json"),
    ],
)
def test_ob2_documents_answer_the_media_type_asked_for(client, issue, achievement, accept, media_type):
    credential = issue()
    for url in (f"/c/{credential.public_id}/ob2", f"/a/{achievement.public_id}/ob2", "/orgs/acme/ob2"):
        response = client.get(url, headers={"Accept": accept} if accept else {})
        assert response["Content-Type"] == f"{media_type}; charset=utf-8", url
        assert (
            "Accept" in response["Vary"] and response.json()["@context"] == "https://w3id.org/openbadges/v2"
        )


def test_revoked_assertion_answers_410_with_revoked_true(ob2_validator, live_base, issue):
    """OB 2.0: a revoked hosted assertion answers 410 with ``revoked: true``. (Validator 1.1.2 checks
    revocation only for signed assertions' revocation lists; it reads the property but does not act on it,
    so the test checks what it read.)"""
    credential = issue()
    actions.revoke_credential(credential, reason="Issued in error")
    graph = _validate(ob2_validator, f"{credential.uri}/ob2", live_base)["graph"]
    assertion = next(n for n in graph if n.get("type") == "Assertion")
    assert assertion["revoked"] is True and assertion["revocationReason"] == "Issued in error"


def test_ob2_documents(client, issue, achievement, org):
    credential = issue()
    assertion = client.get(f"/c/{credential.public_id}/ob2")
    assert assertion.status_code == 200 and assertion["Content-Type"].startswith("application/ld+json")
    doc = assertion.json()
    assert doc["@context"] == "https://w3id.org/openbadges/v2" and doc["type"] == "Assertion"
    assert doc["verification"] == {"type": "HostedBadge"} and doc["badge"] == f"{achievement.uri}/ob2"
    badge = client.get(f"/a/{achievement.public_id}/ob2").json()
    assert badge["type"] == "BadgeClass" and badge["issuer"] == "http://testserver/orgs/acme/ob2"
    assert badge["alignment"] == [{"targetName": "Programming", "targetUrl": "https://example.org/s"}]
    assert client.get(f"/a/{achievement.public_id}/ob2/image.png")["Content-Type"] == "image/png"
    issuer = client.get("/orgs/acme/ob2").json()
    assert issuer == {
        "@context": "https://w3id.org/openbadges/v2",
        "type": "Issuer",
        "id": "http://testserver/orgs/acme/ob2",
        "name": "Acme Training",
        "url": "https://acme.example",
        "email": "certs@acme.example",
    }
    for url in ("/c/nope/ob2", "/a/nope/ob2", "/orgs/nope/ob2"):
        assert client.get(url).status_code == 404
    actions.suspend_credential(credential, reason="review")
    gone = client.get(f"/c/{credential.public_id}/ob2")
    assert gone.status_code == 410 and gone.json()["revoked"] is True


def test_a_private_credentials_assertion_is_not_shown_to_strangers(client, issue, org, django_user_model):
    """The assertion carries the salted hash of the holder's email: for a private credential a stranger
    gets 404 (as on its page), never the hash; the issuing organization's members still see it."""
    from credstack.credentials.models import Credential
    from credstack.organizations.models import Membership, Role

    credential = issue()
    url = f"/c/{credential.public_id}/ob2"
    identity_hash = client.get(url).json()["recipient"]["identity"]
    Credential.objects.filter(pk=credential.pk).update(is_public=False)
    hidden = client.get(url)
    assert hidden.status_code == 404 and identity_hash not in hidden.content.decode()
    member = django_user_model.objects.create_user("issuer", "issuer@acme.example", "pw")
    Membership.objects.create(organization=org, user=member, role=Role.VIEWER)
    client.force_login(member)
    seen = client.get(url)
    assert seen.status_code == 200 and seen.json()["recipient"]["identity"] == identity_hash
    assert seen["Cache-Control"] == "private, no-store"
