"""The learner's public portfolio (/p/<slug>): picked in the portal, private until published, withdrawable;
only the learner's own public credentials; grouped by issuer and pathway; a skills summary from the
alignments; "verify all" with the verifier service; a CLR file of the selection that verifies."""

from __future__ import annotations

import json
import re

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client

from credstack.credentials.actions import revoke_credential
from credstack.credentials.resolver import local_fetch
from credstack.organizations.models import AuditEntry
from credstack.portal import actions
from credstack.portal.models import Account, Portfolio
from credstack.vc import verify as vc_verify
from tests.interop.conftest import node_verifier  # noqa: F401  (fixture)
from tests.unchanged import changes_nothing

pytestmark = pytest.mark.django_db


@pytest.fixture
def globex_credential(db):
    from credstack.achievements.actions import create_achievement
    from credstack.credentials.actions import issue_credential
    from credstack.organizations.actions import create_organization

    org = create_organization(slug="globex", name="Globex University")
    ach = create_achievement(
        organization=org,
        slug="sql",
        name="SQL Essentials",
        description="SQL.",
        criteria_narrative="Pass.",
        alignments=[
            {"name": "Databases", "url": "https://example.org/db", "framework": "ESCO"},
            {"name": "Programming", "url": "https://example.org/s"},
        ],
    )
    return issue_credential(achievement=ach, recipient_name="Ada Lovelace", recipient_email="ada@example.org")


def _publish(client, ids, slug="ada-lovelace", **extra):
    response = client.post(
        "/me/portfolio",
        {"step": "save-publish", "slug": slug, "title": "Ada Lovelace", "credential": ids, **extra},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return response


def test_private_by_default_then_published_then_withdrawn(client, issue, portal_login):
    credential = issue()
    portal_login("ada@example.org")
    page = client.get("/me/portfolio").content.decode()
    assert 'value="ada-lovelace"' in page and "Private" in page  # an address offered from the name
    response = client.post(
        "/me/portfolio",
        {"step": "save", "slug": "ada-lovelace", "title": "Ada L.", "credential": [credential.public_id]},
    )
    assert response.status_code == 302
    stranger = Client()
    not_yet = stranger.get("/p/ada-lovelace")
    assert not_yet.status_code == 404 and "No portfolio is shared at this address" in not_yet.content.decode()
    assert stranger.get("/p/ada-lovelace/clr.json").status_code == 404

    client.post("/me/portfolio", {"step": "publish"})
    page = stranger.get("/p/ada-lovelace")
    html = page.content.decode()
    assert (
        page.status_code == 200 and "Ada L." in html and "Python Basics" in html and "Acme Training" in html
    )
    assert stranger.get("/p/ADA-LOVELACE").status_code == 200  # the address is not case-sensitive

    client.post("/me/portfolio", {"step": "withdraw"})
    gone = stranger.get("/p/ada-lovelace")
    assert gone.status_code == 410
    text = gone.content.decode()
    assert "This portfolio is no longer shared" in text and "Python Basics" not in text
    assert stranger.get("/p/ada-lovelace/verify").status_code == 410
    assert stranger.get("/p/ada-lovelace/qr.svg").status_code == 410
    kinds = list(
        AuditEntry.objects.filter(action__startswith="portfolio.")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert kinds == ["portfolio.saved", "portfolio.published", "portfolio.withdrawn"]
    assert (
        AuditEntry.objects.filter(action="portfolio.published").get().actor_label.startswith("the recipient")
    )


@pytest.mark.parametrize(
    ("slug", "message"),
    [
        ("ab", "3 to 40 characters"),
        ("x" * 41, "3 to 40 characters"),
        ("ada lovelace", "single hyphens"),
        ("tomás", "single hyphens"),
        ("-ada", "single hyphens"),
        ("ada--l", "single hyphens"),
        ("admin", "reserved"),
        ("Verify", "reserved"),
        ("", "Choose an address"),
    ],
)
def test_slug_rules(client, issue, portal_login, slug, message):
    credential = issue()
    portal_login("ada@example.org")
    with changes_nothing():
        response = client.post(
            "/me/portfolio", {"step": "save-publish", "slug": slug, "credential": [credential.public_id]}
        )
    assert response.status_code == 400 and message in response.content.decode()


def test_an_address_belongs_to_one_learner(client, issue, portal_login):
    mine = issue()
    theirs = issue(name="Grace Hopper", email="grace@example.org")
    portal_login("ada@example.org")
    _publish(client, [mine.public_id], slug="star")
    grace = portal_login("grace@example.org", Client())
    with changes_nothing():
        response = grace.post(
            "/me/portfolio", {"step": "save", "slug": "STAR", "credential": [theirs.public_id]}
        )
    assert response.status_code == 400 and "“star” is taken" in response.content.decode()
    account = Account.objects.get(emails__normalized="grace@example.org")
    with pytest.raises(ValidationError, match="taken"):
        actions.save_portfolio(account, slug="star", credential_ids=[theirs.public_id])


def test_another_learners_credential_is_refused(client, issue, portal_login):
    mine = issue()
    theirs = issue(name="Grace Hopper", email="grace@example.org")
    portal_login("ada@example.org")
    with changes_nothing():
        response = client.post(
            "/me/portfolio",
            {"step": "save-publish", "slug": "ada", "credential": [mine.public_id, theirs.public_id]},
        )
    assert response.status_code == 400
    assert f"{theirs.public_id} is not one of your credentials" in response.content.decode()
    assert not Portfolio.objects.exists()


def test_a_private_credential_is_not_shown_to_the_public(client, issue, globex_credential, portal_login):
    python = issue()
    portal_login("ada@example.org")
    _publish(client, [python.public_id, globex_credential.public_id])
    assert "SQL Essentials" in Client().get("/p/ada-lovelace").content.decode()
    client.post(f"/me/c/{globex_credential.public_id}/visibility", {"public": "0"})  # made private afterwards
    public = Client().get("/p/ada-lovelace").content.decode()
    assert "Python Basics" in public
    assert "SQL Essentials" not in public and "Globex University" not in public and "Databases" not in public
    assert "made private is not shown" in public  # the page says what it does
    clr = Client().get("/p/ada-lovelace/clr.json").json()
    assert [c["id"] for c in clr["credentialSubject"]["verifiableCredential"]] == [python.uri]
    # the editor says why it is not shown, and picking it is refused while it is private
    editor = client.get("/me/portfolio").content.decode()
    assert "Private: not shown in your portfolio" in editor
    response = client.post(
        "/me/portfolio", {"step": "save", "slug": "ada-lovelace", "credential": [globex_credential.public_id]}
    )
    assert response.status_code == 400 and "is private: make it public first" in response.content.decode()


def test_grouped_by_issuer_with_skills_from_the_alignments(client, issue, globex_credential, portal_login):
    python = issue()
    portal_login("ada@example.org")
    _publish(client, [python.public_id, globex_credential.public_id])
    html = Client().get("/p/ada-lovelace").content.decode()
    # issuers in alphabetical order, each with its credentials
    groups = html[html.index('class="pf-group"') :]
    assert groups.index("Acme Training") < groups.index("Python Basics") < groups.index("Globex University")
    assert groups.index("Globex University") < groups.index("SQL Essentials")
    skills = html[html.index('id="skills-title"') : html.index("</section>", html.index('id="skills-title"'))]
    # Programming is backed by both credentials (first), Databases by one, with its framework
    assert skills.index("Programming") < skills.index("Databases")
    assert (
        '2 credentials: <span dir="auto">Python Basics, SQL Essentials</span>' in skills
        and "ESCO · 1 credential" in skills
    )
    # a revoked credential is marked, and counts for no skill
    revoke_credential(globex_credential, reason="issued by mistake")
    html = Client().get("/p/ada-lovelace").content.decode()
    assert "pill-revoked" in html and "issued by mistake" in html and "Databases" not in html


def test_grouped_by_pathway(client, org, achievement, issue, portal_login):
    from credstack.achievements.actions import create_achievement
    from credstack.pathways.actions import create_pathway

    sql = create_achievement(
        organization=org, slug="sql", name="SQL Essentials", description="d", criteria_narrative="c"
    )
    extra = create_achievement(
        organization=org, slug="git", name="Git Basics", description="d", criteria_narrative="c"
    )
    stack = create_achievement(
        organization=org, slug="data", name="Data Analyst Pathway", description="d", criteria_narrative="c"
    )
    create_pathway(achievement=stack, components=[achievement, sql])
    ids = [issue().public_id, issue(achievement=extra).public_id]
    portal_login("ada@example.org")
    _publish(client, ids)
    html = Client().get("/p/ada-lovelace").content.decode()
    html = html[html.index('class="pf-group"') :]
    assert html.index("Data Analyst Pathway") < html.index("Python Basics")
    assert html.index("Python Basics") < html.index("Other credentials") < html.index("Git Basics")


def test_verify_all_checks_each_credential_live(client, issue, globex_credential, portal_login):
    python = issue()
    portal_login("ada@example.org")
    _publish(client, [python.public_id, globex_credential.public_id])
    html = Client().get("/p/ada-lovelace/verify").content.decode()
    assert "All 2 credentials verified" in html
    assert html.count('data-result="valid"') == 2
    revoke_credential(globex_credential, reason="issued by mistake")
    html = Client().get("/p/ada-lovelace/verify").content.decode()
    assert "1 of 2 credentials verified" in html
    card = html[html.index(f'data-credential="{globex_credential.public_id}"') :]
    assert 'data-result="revoked"' in card[: card.index("</li>")]
    assert 'data-result="valid"' in html[html.index(f'data-credential="{python.public_id}"') :]


def test_the_clr_of_the_selection_verifies(client, issue, globex_credential, portal_login):
    python = issue()
    issue(name="Ada Lovelace", email="ada@example.org")  # held, but not picked
    portal_login("ada@example.org")
    _publish(client, [python.public_id, globex_credential.public_id])
    response = Client().get("/p/ada-lovelace/clr.json")
    assert response["Content-Disposition"] == 'attachment; filename="ada-lovelace-clr.json"'
    clr = response.json()
    assert clr["type"] == ["VerifiableCredential", "ClrCredential"] and clr["name"] == "Ada Lovelace"
    held = {c["id"] for c in clr["credentialSubject"]["verifiableCredential"]}
    assert held == {python.uri, globex_credential.uri}
    assert vc_verify.verify_credential(clr, fetch=local_fetch).status == "valid"
    # the public file names the learner by the (hashed) addresses of these credentials only
    assert len(clr["credentialSubject"]["identifier"]) == 1


@pytest.mark.interop
def test_the_clr_verifies_in_the_independent_verifier(client, issue, portal_login, node_verifier):  # noqa: F811
    python = issue()
    portal_login("ada@example.org")
    _publish(client, [python.public_id])
    clr = json.loads(Client().get("/p/ada-lovelace/clr.json").content)
    documents = {"did:web:testserver": client.get("/.well-known/did.json").json()}
    result = node_verifier.verify(clr, documents, check_status=False)
    assert result["verified"] is True, result["errors"]


def test_qr_code_and_share_links(client, issue, portal_login):
    python = issue()
    portal_login("ada@example.org")
    _publish(client, [python.public_id])
    svg = Client().get("/p/ada-lovelace/qr.svg")
    assert svg["Content-Type"] == "image/svg+xml"
    assert "<title>QR code: http://testserver/p/ada-lovelace</title>" in svg.content.decode()
    html = Client().get("/p/ada-lovelace").content.decode()
    assert (
        "https://www.linkedin.com/sharing/share-offsite/?url=http%3A%2F%2Ftestserver%2Fp%2Fada-lovelace"
        in html
    )
    editor = client.get("/me/portfolio").content.decode()
    assert "Shared" in editor and "/p/ada-lovelace/qr.svg" in editor and "Stop sharing" in editor


def test_unknown_address_is_a_clear_page(client):
    response = Client().get("/p/nobody-here")
    assert response.status_code == 404
    assert "No portfolio is shared at this address" in response.content.decode()


def test_the_editor_needs_a_code_sign_in(client):
    response = client.get("/me/portfolio")
    assert response.status_code == 302 and response["Location"].startswith("/me/login")
    with changes_nothing():
        response = client.post("/me/portfolio", {"step": "publish"})
    assert response.status_code == 302


def test_a_merged_account_brings_its_portfolio(client, issue, portal_login):
    work = issue(email="ada@work.example")
    issue(email="ada@example.org")
    other = portal_login("ada@work.example", Client())
    _publish(other, [work.public_id], slug="ada-at-work")
    portal_login("ada@example.org")
    client.post("/me/emails", {"step": "send", "email": "ada@work.example"})
    code = re.search(r"\b(\d{6})\b", mail.outbox[-1].subject).group(1)
    assert client.post("/me/emails", {"step": "verify", "code": code}).status_code == 302
    assert Account.objects.count() == 1
    assert "Python Basics" in Client().get("/p/ada-at-work").content.decode()
    assert "ada-at-work" in client.get("/me/portfolio").content.decode()


def test_verify_all_is_limited_per_client(client, issue, portal_login):
    from credstack.verifier.portfolio_views import VERIFY_ALL

    python = issue()
    portal_login("ada@example.org")
    _publish(client, [python.public_id])
    stranger = Client(REMOTE_ADDR="203.0.113.7")
    for _ in range(VERIFY_ALL.amount):
        assert stranger.get("/p/ada-lovelace/verify").status_code == 200
    refused = stranger.get("/p/ada-lovelace/verify")
    html = refused.content.decode()
    assert refused.status_code == 429 and "try again" in html and "Python Basics" in html
    assert 'data-result="' not in html
    assert Client(REMOTE_ADDR="203.0.113.8").get("/p/ada-lovelace/verify").status_code == 200
