"""The recipient portal: passwordless sign-in, portfolio across organizations, several emails, sharing,
visibility, export and account deletion."""

from __future__ import annotations

import io
import json
import re
import zipfile
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from credstack.credentials.models import Credential, CredentialEvent
from credstack.credentials.resolver import local_fetch
from credstack.organizations.models import SigningKey, platform_did
from credstack.portal import actions
from credstack.portal.models import Account, AccountEmail, LoginCode
from credstack.vc import verify as vc_verify
from tests.interop.conftest import node_verifier  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


def _code() -> str:
    return re.search(r"\b(\d{6})\b", mail.outbox[-1].subject).group(1)


@pytest.fixture
def other_org_credential(db):
    from credstack.achievements.actions import create_achievement
    from credstack.credentials.actions import issue_credential
    from credstack.organizations.actions import create_organization

    org = create_organization(slug="globex", name="Globex University")
    ach = create_achievement(
        organization=org, slug="sql", name="SQL Essentials", description="SQL.", criteria_narrative="Pass."
    )
    return issue_credential(achievement=ach, recipient_name="Ada Lovelace", recipient_email="ada@example.org")


def test_sign_in_with_a_code(client, issue):
    credential = issue()
    response = client.post("/me/login", {"email": "ADA@example.org"})
    assert response.status_code == 302
    code = _code()
    assert mail.outbox[-1].to == ["ADA@example.org"] and code in mail.outbox[-1].body
    # stored hashed: the code itself is nowhere in the database
    row = LoginCode.objects.get()
    assert code not in row.code_hash and len(row.code_hash) == 64
    assert client.get("/me/").status_code == 302  # not signed in yet
    response = client.post("/me/login/code", {"code": code})
    assert response.status_code == 302
    html = client.get("/me/").content.decode()
    assert "Python Basics" in html and credential.public_id in html


def test_code_is_single_use_short_lived_and_limited(client, issue):
    client.post("/me/login", {"email": "ada@example.org"})
    code = _code()
    wrong = "000000" if code != "000000" else "111111"
    response = client.post("/me/login/code", {"code": wrong})
    assert response.status_code == 400 and "Wrong code. 4 tries left." in response.content.decode()
    assert client.post("/me/login/code", {"code": code}).status_code == 302
    # used: it cannot sign in again
    with pytest.raises(actions.CodeError, match="no code waiting"):
        actions.check_code("ada@example.org", code)
    # expired
    actions.request_code("late@example.org")
    late = _code()
    LoginCode.objects.filter(normalized_email="late@example.org").update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    with pytest.raises(actions.CodeError, match="expired"):
        actions.check_code("late@example.org", late)
    # ten wrong guesses in all burn the code (one client alone is stopped at five: decision 0030)
    actions.request_code("guess@example.org")
    right = _code()
    for _ in range(actions.MAX_ATTEMPTS):
        with pytest.raises(actions.CodeError):
            actions.check_code("guess@example.org", "999999" if right != "999999" else "888888")
    with pytest.raises(actions.CodeError, match="too many times: ask for a new one"):
        actions.check_code("guess@example.org", right)


def test_code_requests_are_rate_limited(client, db):
    for _ in range(actions.CODES_PER_EMAIL.amount):
        assert client.post("/me/login", {"email": "spam@example.org"}).status_code == 302
    response = client.post("/me/login", {"email": "spam@example.org"})
    page = response.content.decode()
    assert response.status_code == 400 and "Too many codes" in page
    # it says what still works and when to ask again (a few minutes: it slows down, it does not lock)
    assert "The last code we sent still works" in page
    minutes = int(re.search(r"new one in (\d+) minute", page).group(1))
    assert 1 <= minutes <= 10
    assert len(mail.outbox) == actions.CODES_PER_EMAIL.amount


@pytest.mark.parametrize(
    "bad", ["", "not-an-email", "a@b@c", "x" * 300 + "@example.org", "ada@exa\x00mple.org"]
)
def test_bad_addresses_are_refused_clearly(client, db, bad):
    response = client.post("/me/login", {"email": bad})
    assert response.status_code == 400
    assert (
        "not an email address" in response.content.decode() or "Enter your email" in response.content.decode()
    )
    assert not LoginCode.objects.exists() and not mail.outbox


def test_portfolio_spans_organizations_and_org_entry_puts_its_own_first(
    client, issue, other_org_credential, portal_login
):
    mine = issue()
    issue(email="someone@example.org")  # not theirs
    portal_login("ada@example.org")
    html = client.get("/me/").content.decode()
    assert "2 credentials from 2 organizations" in html
    assert html.index(mine.public_id) < html.index(other_org_credential.public_id)  # newest first
    assert "someone@example.org" not in html
    client.get("/me/o/globex/")
    html = client.get("/me/").content.decode()
    assert html.index(other_org_credential.public_id) < html.index(mine.public_id)  # its own first
    assert "org-banner" in html and "Globex University" in html
    assert client.get("/me/o/nobody/").status_code == 404


def test_branded_entry_for_strangers_shows_the_login_in_the_brand(client, org):
    response = client.get("/me/o/acme/")
    assert response.status_code == 302 and response["Location"] == "/me/login?org=acme"
    html = client.get("/me/login?org=acme").content.decode()
    assert "Acme Training" in html and "--brand: #1d3f6e" in html


def test_several_emails_merge_portfolios(client, issue, portal_login):
    work = issue(email="ada@work.example")
    home = issue(email="ada@example.org")
    portal_login("ada@example.org")
    # the work address already has its own account: verifying it merges the two
    other = Client()
    portal_login("ada@work.example", other)
    client.post("/me/emails", {"step": "send", "email": "ada@work.example"})
    response = client.post("/me/emails", {"step": "verify", "code": _code()})
    assert response.status_code == 302
    assert Account.objects.count() == 1
    assert set(AccountEmail.objects.values_list("normalized", flat=True)) == {
        "ada@example.org",
        "ada@work.example",
    }
    html = client.get("/me/").content.decode()
    assert work.public_id in html and home.public_id in html


def test_visibility_toggle_is_for_the_holder_only(client, issue, portal_login):
    mine, theirs = issue(), issue(email="bob@example.org")
    portal_login("ada@example.org")
    assert client.post(f"/me/c/{mine.public_id}/visibility", {"public": "0"}).status_code == 302
    mine.refresh_from_db()
    assert mine.is_public is False
    assert client.post(f"/me/c/{theirs.public_id}/visibility", {"public": "0"}).status_code == 404
    theirs.refresh_from_db()
    assert theirs.is_public is True
    assert Client().post(f"/me/c/{mine.public_id}/visibility", {"public": "1"}).status_code == 404
    response = client.post(f"/me/c/{mine.public_id}/visibility", {"public": "1"}, HTTP_HX_REQUEST="true")
    assert "Make private" in response.content.decode()


def test_linkedin_add_to_profile_link(client, issue, portal_login):
    credential = issue(valid_until=timezone.now().replace(year=2031, month=7, day=1))
    portal_login("ada@example.org")
    response = client.get(f"/me/c/{credential.public_id}/share/linkedin")
    assert response.status_code == 302
    url = urlsplit(response["Location"])
    assert (url.scheme, url.netloc, url.path) == ("https", "www.linkedin.com", "/profile/add")
    params = {k: v[0] for k, v in parse_qs(url.query).items()}
    assert params == {
        "startTask": "CERTIFICATION_NAME",
        "name": "Python Basics",
        "organizationName": "Acme Training",
        "issueYear": str(credential.issued_at.year),
        "issueMonth": str(credential.issued_at.month),
        "expirationYear": "2031",
        "expirationMonth": "7",
        "certUrl": credential.uri,
        "certId": credential.public_id,
    }
    assert CredentialEvent.objects.filter(credential=credential, kind="linkedin").count() == 1
    email = client.get(f"/me/c/{credential.public_id}/share/email")
    assert email["Location"].startswith("mailto:?subject=My%20credential%3A%20Python%20Basics")
    assert client.post(f"/me/c/{credential.public_id}/share/copy").json()["url"] == credential.uri
    assert CredentialEvent.objects.filter(credential=credential, kind="shared").count() == 2


def test_export_zip_with_a_signed_clr(client, issue, other_org_credential, portal_login):
    mine = issue()
    portal_login("ada@example.org")
    response = client.get("/me/export.zip")
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    zf = zipfile.ZipFile(io.BytesIO(response.content))
    names = zf.namelist()
    for c in (mine, other_org_credential):
        folder = next(n.split("/")[0] for n in names if c.public_id in n)
        assert {
            f"{folder}/{f}" for f in ("credential.json", "certificate.pdf", "badge.png", "badge.svg")
        } <= set(names)
        assert zf.read(f"{folder}/credential.json").decode() == c.document
    clr = json.loads(zf.read("portfolio-clr.json"))
    assert clr["type"] == ["VerifiableCredential", "ClrCredential"]
    assert clr["issuer"]["id"] == platform_did() == "did:web:testserver"
    assert len(clr["credentialSubject"]["verifiableCredential"]) == 2
    report = vc_verify.verify_credential(clr, fetch=local_fetch)
    assert report.status == "valid", report.to_dict()
    # the platform's DID document is served where did:web says
    did_doc = client.get("/.well-known/did.json").json()
    assert (
        did_doc["id"] == "did:web:testserver"
        and clr["proof"][0]["verificationMethod"] in did_doc["assertionMethod"]
    )
    # the platform key is sealed: the database holds no private key in clear
    key = SigningKey.objects.get(organization=None)
    assert key.load().private_bytes() not in bytes(key.sealed_private_key)


def test_delete_account_erases_personal_data_and_credentials_keep_verifying(client, issue, portal_login):
    credential = issue(name="Ada Lovelace")
    portal_login("ada@example.org")
    assert client.post("/me/delete", {"confirm": "nope"}).status_code == 400
    response = client.post("/me/delete", {"confirm": "DELETE"})
    assert response.status_code == 200 and "deleted" in response.content.decode()
    assert (
        not Account.objects.exists() and not AccountEmail.objects.exists() and not LoginCode.objects.exists()
    )
    credential.refresh_from_db()
    assert credential.is_public is False
    assert "Ada Lovelace" not in Client().get(f"/c/{credential.public_id}").content.decode()
    assert client.get("/me/").status_code == 302  # signed out
    report = vc_verify.verify_credential(Credential.objects.get(pk=credential.pk).signed(), fetch=local_fetch)
    assert report.status == "valid"


@pytest.mark.interop
def test_exported_clr_verifies_in_the_independent_verifier(client, issue, portal_login, node_verifier):  # noqa: F811
    issue()
    portal_login("ada@example.org")
    zf = zipfile.ZipFile(io.BytesIO(client.get("/me/export.zip").content))
    clr = json.loads(zf.read("portfolio-clr.json"))
    documents = {"did:web:testserver": client.get("/.well-known/did.json").json()}
    result = node_verifier.verify(clr, documents, check_status=False)
    assert result["verified"] is True, result["errors"]


def test_portfolio_shows_pathway_progress_and_the_export_carries_its_associations(
    client, org, achievement, issue, portal_login
):
    from credstack.achievements.actions import create_achievement
    from credstack.pathways.actions import create_pathway

    others = [
        create_achievement(
            organization=org, slug=f"c{i}", name=f"Course {i}", description="d", criteria_narrative="c"
        )
        for i in (2, 3)
    ]
    stack = create_achievement(
        organization=org, slug="stack", name="Data Stack", description="d", criteria_narrative="c"
    )
    create_pathway(achievement=stack, components=[achievement, *others])
    held = issue()
    portal_login("ada@example.org")
    html = client.get("/me/").content.decode()
    assert "Data Stack" in html and "1 of 3" in html
    assert 'aria-valuenow="1"' in html and 'aria-valuemax="3"' in html
    assert "Part of <strong>Data Stack</strong>" in html and held.public_id in html
    clr = json.loads(
        zipfile.ZipFile(io.BytesIO(client.get("/me/export.zip").content)).read("portfolio-clr.json")
    )
    parts = {
        (a["associationType"], a["sourceId"], a["targetId"]) for a in clr["credentialSubject"]["association"]
    }
    assert ("isPartOf", achievement.uri, stack.uri) in parts
    assert vc_verify.verify_credential(clr, fetch=local_fetch).status == "valid"


def test_delete_account_is_at_the_end_of_the_page_away_from_export(client, issue, portal_login):
    """Issue 14: "Delete account" sat beside "Export all" in the account links."""
    issue()
    portal_login("ada@example.org")
    page = client.get("/me/").text
    start = page.index('<nav class="portal-nav"')
    nav = page[start : page.index("</nav>", start)]
    assert "/me/export.zip" in nav and "/me/delete" not in nav
    assert page.index('href="/me/delete"') > page.rindex('class="cred-')


def test_make_private_takes_the_share_buttons_away_at_once(client, issue, portal_login):
    """Issue 14: after "Make private" the share buttons stayed active (htmx swapped the toggle only)."""
    credential = issue()
    portal_login("ada@example.org")
    page = client.get("/me/").text
    assert f'id="share-{credential.public_id}"' in page and "Add to LinkedIn" in page
    private = client.post(
        f"/me/c/{credential.public_id}/visibility", {"public": "0"}, HTTP_HX_REQUEST="true"
    ).text
    row = private[private.index(f'id="share-{credential.public_id}"') :]
    assert 'hx-swap-oob="true"' in row and "Add to LinkedIn" not in row and "make it public to share" in row
    assert "Add to LinkedIn" not in client.get("/me/").text
    public = client.post(
        f"/me/c/{credential.public_id}/visibility", {"public": "1"}, HTTP_HX_REQUEST="true"
    ).text
    assert "Add to LinkedIn" in public[public.index(f'id="share-{credential.public_id}"') :]
