"""An organization's own domain (decision 0049): new credentials live there, old ones keep verifying, the
host serves only the organization's public pages, and the workspace checks its DNS with a resolver the test
controls (never real DNS)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from credstack.achievements.models import Achievement
from credstack.credentials.actions import change_expiry, issue_credential, revoke_credential
from credstack.credentials.models import StatusList
from credstack.credentials.resolver import local_fetch
from credstack.delivery.rendering import render_message
from credstack.organizations import dns
from credstack.organizations.actions import retire_domain, set_domain
from credstack.organizations.actors import Actor
from credstack.vc import verify as vc_verify
from tests.unchanged import changes_nothing

HOST = "certs.acme.localhost"


@pytest.fixture(autouse=True)
def _plain_http_origin(settings):
    settings.CREDSTACK_CUSTOM_DOMAIN_ORIGIN = "http://{host}"


def verify(credential) -> str:
    credential.refresh_from_db()
    return vc_verify.verify_credential(credential.signed(), fetch=local_fetch).status


@pytest.mark.parametrize(
    ("value", "wanted"),
    [
        ("certs.acme.localhost:8443", "without a port"),
        ("192.0.2.7", "not an IP address"),
        ("testserver", "own name"),
        ("not a host", "host name such as"),
        ("", "Enter a host name"),
    ],
)
def test_a_bad_host_name_is_refused_and_changes_nothing(org, value, wanted):
    with changes_nothing(), pytest.raises(ValidationError) as refused:
        set_domain(org, value, False, Actor.command_line())
    assert wanted in " ".join(refused.value.messages)


def test_a_pasted_url_gives_its_host_and_another_organizations_host_is_refused(org, other_org):
    domain = set_domain(org, "https://Certs.Acme.localhost/verify", False, Actor.command_line())
    assert domain.host == HOST
    with changes_nothing(), pytest.raises(ValidationError, match="Another organization"):
        set_domain(other_org, HOST, False, Actor.command_line())


def test_new_credentials_carry_the_domain_and_earlier_ones_keep_their_links(org, issue):
    before = issue(name="Before Domain", email="before@example.org")
    set_domain(org, HOST, False, Actor.command_line())
    after = issue(name="After Domain", email="after@example.org")
    assert before.uri == f"http://testserver/c/{before.public_id}"
    assert after.uri == f"http://{HOST}/c/{after.public_id}"
    assert after.signed()["id"] == after.uri
    message = render_message(after, "Your credential", "{{ credential_url }}", token="tok")
    assert f"http://{HOST}/c/{after.public_id}" in message.text
    assert f"http://{HOST}/d/tok/go/page" in message.html
    # the issuer id stays the path DID until the organization asks for did:web of its domain
    assert after.signed()["issuer"]["id"] == org.path_did
    assert verify(before) == verify(after) == "valid"


def test_did_web_of_the_domain_keeps_what_was_issued_before_verifying(org, issue):
    before = issue(name="Before Did", email="before@example.org")
    set_domain(org, HOST, True, Actor.command_line())
    org.refresh_from_db()
    after = issue(name="After Did", email="after@example.org")
    assert after.signed()["issuer"]["id"] == f"did:web:{HOST}"
    assert after.signed()["proof"][0]["verificationMethod"].startswith(f"did:web:{HOST}#")
    assert before.signed()["issuer"]["id"] == f"did:web:testserver:orgs:{org.slug}"
    # new credentials get status lists signed by the new DID; the old lists stay under the old one
    assert after.status_list_id != before.status_list_id
    assert StatusList.objects.get(pk=after.status_list_id).issuer == f"did:web:{HOST}"
    assert verify(before) == verify(after) == "valid"
    # the old credential re-signed (a new expiry) stays under its DID
    change_expiry(before, valid_until=timezone.now() + timedelta(days=400), actor=Actor.command_line())
    assert verify(before) == "valid"
    assert before.signed()["issuer"]["id"] == org.path_did
    revoke_credential(before, reason="test", actor=Actor.command_line())
    revoke_credential(after, reason="test", actor=Actor.command_line())
    # one suspension entry (decision 0032): the lists say "not valid", under either DID
    assert verify(before) == verify(after) == "suspended"
    # both DID documents list the same keys and name each other
    host_doc = local_fetch(f"http://{HOST}/.well-known/did.json")
    path_doc = local_fetch(org.path_did)
    assert host_doc["id"] == f"did:web:{HOST}" and host_doc["alsoKnownAs"] == [org.path_did]
    assert f"did:web:{HOST}" in path_doc["alsoKnownAs"]
    assert [m["publicKeyMultibase"] for m in host_doc["verificationMethod"]] == [
        m["publicKeyMultibase"] for m in path_doc["verificationMethod"]
    ]


def test_a_retired_domain_keeps_serving_what_was_issued_under_it(org, issue, client):
    set_domain(org, HOST, True, Actor.command_line())
    org.refresh_from_db()
    under = issue()
    retire_domain(org, Actor.command_line())
    org.refresh_from_db()
    later = issue(name="Later", email="later@example.org")
    assert later.uri.startswith("http://testserver/") and later.signed()["issuer"]["id"] == org.path_did
    assert verify(under) == verify(later) == "valid"
    assert client.get(f"/c/{under.public_id}", HTTP_HOST=HOST).status_code == 200
    assert client.get("/.well-known/did.json", HTTP_HOST=HOST).json()["id"] == f"did:web:{HOST}"


def test_the_host_serves_the_organizations_public_pages_in_its_brand_and_nothing_else(
    org, other_org, issue, client
):
    set_domain(org, HOST, False, Actor.command_line())
    mine = issue()
    theirs = issue_credential(
        achievement=Achievement.objects.get(organization=other_org),
        recipient_name="Other Person",
        recipient_email="other@example.org",
    )
    page = client.get(f"/c/{mine.public_id}", HTTP_HOST=HOST)
    assert page.status_code == 200 and "Acme Training" in page.text
    assert client.get(f"/c/{mine.public_id}.json", HTTP_HOST=HOST).json()["id"] == mine.uri
    # the same credential at the deployment's own address still answers (earlier links, the old QR codes)
    assert client.get(f"/c/{mine.public_id}").status_code == 200
    # another organization's credential is not vouched for by this domain, cached or not
    assert client.get(f"/c/{theirs.public_id}").status_code == 200
    refused = client.get(f"/c/{theirs.public_id}", HTTP_HOST=HOST)
    assert refused.status_code == 404 and "Other Person" not in refused.text
    assert client.get("/orgs/globex/did.json", HTTP_HOST=HOST).status_code == 404
    # the verifier answers there in the organization's brand
    verifier = client.get("/verify", HTTP_HOST=HOST)
    assert (
        verifier.status_code == 200
        and 'class="branded"' in verifier.text
        and "Acme Training" in verifier.text
    )
    # the workspace and the portal are the deployment's
    moved = client.get("/w/acme/settings?x=1", HTTP_HOST=HOST)
    assert moved.status_code == 302 and moved["Location"] == "http://testserver/w/acme/settings?x=1"
    assert client.get("/", HTTP_HOST=HOST)["Location"] == "/verify"


def test_an_unknown_host_is_refused(settings, org, client):
    settings.ALLOWED_HOSTS = ["testserver"]
    set_domain(org, HOST, False, Actor.command_line())
    assert client.get("/verify", HTTP_HOST="evil.localhost").status_code == 400
    assert client.get("/verify", HTTP_HOST=HOST).status_code == 200
    assert client.get("/verify", HTTP_HOST=f"{HOST}:8443").status_code == 200  # any port: the proxy's


def test_verify_recognises_a_credential_url_on_the_domain(org, issue, client):
    set_domain(org, HOST, False, Actor.command_line())
    credential = issue()
    response = client.get("/verify", {"url": credential.uri})
    assert response.status_code == 200
    assert "Ada Lovelace" in response.text and "could not be fetched" not in response.text


def test_the_tls_ask_endpoint_answers_only_for_configured_names(org, client):
    assert client.get("/tls/ask", {"domain": HOST}).status_code == 404
    set_domain(org, HOST, False, Actor.command_line())
    assert client.get("/tls/ask", {"domain": HOST}).status_code == 200
    assert client.get("/tls/ask", {"domain": "evil.localhost"}).status_code == 404
    assert client.get("/tls/ask").status_code == 404


@pytest.fixture
def lying_resolver(monkeypatch):
    """A resolver that answers from a table (never real DNS)."""
    table: dict[str, set[str]] = {"testserver": {"127.0.0.2"}}
    monkeypatch.setattr(dns, "resolve", lambda host: table.get(host, set()))
    return table


def test_the_settings_page_sets_the_domain_and_checks_its_dns(org, signed_in, lying_resolver):
    client = signed_in("admin")
    page = client.get("/w/acme/settings/domain")
    assert page.status_code == 200 and "CNAME" in page.text and "http://testserver/tls/ask" in page.text
    saved = client.post(
        "/w/acme/settings/domain", {"action": "save", "host": HOST, "did_web": "1"}, follow=True
    )
    assert f"did:web:{HOST}" in saved.text
    checked = client.post("/w/acme/settings/domain", {"action": "check"})
    assert "does not resolve yet" in checked.text
    lying_resolver[HOST] = {"203.0.113.9"}
    assert "not to this deployment" in client.post("/w/acme/settings/domain", {"action": "check"}).text
    lying_resolver[HOST] = {"127.0.0.2"}
    last = client.post("/w/acme/settings/domain", {"action": "check"}).text
    assert "points at this deployment" in last, last[last.find("dns-result") - 100 :][:600]
    with changes_nothing():
        bad = client.post("/w/acme/settings/domain", {"action": "save", "host": "x:1"})
    assert bad.status_code == 400 and "without a port" in bad.text


def test_a_viewer_cannot_change_the_domain(org, signed_in):
    client = signed_in("issuer")
    with changes_nothing():
        assert client.post("/w/acme/settings/domain", {"action": "save", "host": HOST}).status_code == 403
