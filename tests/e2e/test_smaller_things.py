"""Issue 14's "smaller things that add up", looked at in a browser on a phone (390 px) and a laptop (1280 px):

- the search finds "Tomás" from "tomas", a piece of an email address, the start of an id and a skill, and
  an email address in the credential list wraps only where an address may (never mid-word) at 1,280 px;
- the audit log names its credentials and filters by what happened;
- the analytics chart spans a young organization's life, and the issuer's own looks are not views (course
  analytics list only questions someone got wrong: tests/e2e/test_course_editor.py);
- the bulk page offers a sample CSV, its dry run warns of a row whose person already holds the achievement,
  and a queued job's progress says "Queued", not "Stuck? … Resume";
- one trailing-slash rule: the slashed address of a page opens the page;
- the home page speaks plainly and lists no organization;
- the issue email of an expiring credential says until when, not "for life"; the sign-up email greets the
  person, not the server;
- /verify takes a link or an id, writes dates as every other page; a tampered credential is not "Awarded to"
  anyone and shows no certificate with the forged name;
- the portal keeps "Delete account" away from "Export all", takes the share buttons away on "Make private",
  and filters the learner's credentials by skill.

Screenshots for docs/screenshots when CREDSTACK_SHOTS is set.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from credstack.achievements.actions import create_achievement, update_achievement
from credstack.credentials.actions import revoke_credential
from credstack.credentials.models import Credential, CredentialEvent
from credstack.organizations.actors import Actor
from credstack.organizations.models import Membership
from credstack.workspace import bulk
from tests.courses.factory import make_course
from tests.e2e.conftest import save_screenshot

# a live server reads what the test wrote: real commits
pytestmark = pytest.mark.django_db(transaction=True)
PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1280, "height": 800}

# every text piece of an email cell (the address split at its @ and dots) is on one line
EMAIL_PIECES_ON_ONE_LINE = """() => {
  const broken = [];
  for (const cell of document.querySelectorAll('td.email-cell')) {
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    while (walker.nextNode()) {
      const range = document.createRange();
      range.selectNodeContents(walker.currentNode);
      const tops = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
      if (tops.size > 1) broken.push(walker.currentNode.textContent);
    }
  }
  return broken;
}"""


def _cookie_session(browser, base_url, viewport, client):
    context = browser.new_context(base_url=base_url, viewport=viewport)
    context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base_url}])
    page = context.new_page()
    page.set_default_timeout(15_000)
    return context, page


@pytest.fixture
def skilled(org, achievement):
    update_achievement(
        achievement,
        alignments=[{"name": "Gestión de proyectos", "url": "https://esco.example/s/1", "code": "S4.2.1"}],
    )
    achievement.refresh_from_db()
    return achievement


def test_the_issuer_side(browser, base_url, org, achievement, skilled, issue, tmp_path):
    user = get_user_model().objects.create_user("admin", "admin@acme.example", "pw-long-enough-123")
    Membership.objects.create(organization=org, user=user, role="admin")
    sql = create_achievement(
        organization=org, slug="sql", name="SQL Essentials", description="d", criteria_narrative="c"
    )
    tomas = issue(name="Tomás García", email="tomas.garcia@uni.example")
    ana = issue(name="Ana Pérez", email="ana.perez@gmail.com", achievement=sql)
    zoe = issue(name="Zoë Müller", email="zoe.mueller@research-institute.example.org", achievement=sql)
    revoke_credential(zoe, reason="issued in error", actor=Actor.for_user(user))
    client = Client()
    client.force_login(user)
    context, page = _cookie_session(browser, base_url, LAPTOP, client)

    # search: accents, a piece of an address, the start of an id, a skill
    page.goto(f"/w/{org.slug}/credentials/")
    rows = page.locator("#credential-table tbody tr")
    for term, name in [
        ("tomas", "Tomás García"),
        ("muller", "Zoë Müller"),
        ("gmail", "Ana Pérez"),
        ("ana.p", "Ana Pérez"),
        (tomas.public_id[:6], "Tomás García"),
        ("gestion de proy", "Tomás García"),
    ]:
        page.get_by_label("Search").fill(term)
        expect(rows).to_have_count(1)
        expect(rows.first).to_contain_text(name)
    page.get_by_label("Search").fill("")
    expect(rows).to_have_count(3)
    assert page.evaluate(EMAIL_PIECES_ON_ONE_LINE) == []
    save_screenshot(page, "workspace-credentials-laptop")

    # the audit log names its credentials and filters by what happened
    page.goto(f"/w/{org.slug}/audit/")
    page.get_by_label("What").select_option("credential.revoke")
    page.get_by_role("button", name="Filter").click()
    entries = page.locator("main table tbody tr")
    expect(page.get_by_role("link", name="Zoë Müller")).to_be_visible()
    expect(page.get_by_text("issued in error")).to_be_visible()
    assert "Tomás García" not in page.locator("main").inner_text()
    assert entries.count() >= 1
    save_screenshot(page, "workspace-audit-filtered-laptop", full_page=True)

    # the issuer's own look is not a view; a stranger's is; the chart spans the organization's life
    page.goto(f"/c/{ana.public_id}")
    expect(page.locator(".awarded")).to_contain_text("Ana Pérez")
    assert CredentialEvent.objects.filter(credential=ana, kind="viewed").count() == 0
    stranger = browser.new_context(base_url=base_url)
    stranger.new_page().goto(f"/c/{ana.public_id}")
    stranger.close()
    assert CredentialEvent.objects.filter(credential=ana, kind="viewed").count() == 1
    page.goto(f"/w/{org.slug}/analytics/")
    expect(page.get_by_text("Over the last 14 days")).to_be_visible()
    save_screenshot(page, "workspace-analytics-laptop", full_page=True)

    # bulk: a sample CSV; a queued job is queued, not stuck
    page.goto(f"/w/{org.slug}/bulk/")
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("sample", re.I)).click()
    assert download.value.suggested_filename == "credstack-sample.csv"
    # issuing again to a holder: the dry run says so before anything is issued
    again = tmp_path / "again.csv"
    again.write_text("name,email\nTomás García,tomas.garcia@uni.example\nNew Person,new@example.org\n")
    page.get_by_label("Achievement").select_option(label="Python Basics")
    page.get_by_label("File").set_input_files(str(again))
    page.get_by_role("button", name="Upload and check").click()
    expect(page.locator("#problems")).to_contain_text("tomas.garcia@uni.example already holds Python Basics")
    assert page.evaluate(EMAIL_PIECES_ON_ONE_LINE) == []  # its rows' addresses wrap at their joints too
    save_screenshot(page, "workspace-bulk-already-held-laptop", full_page=True)
    job = bulk.prepare_job(
        organization=org,
        achievement=achievement,
        filename="c.csv",
        data=b"name,email\nAda,ada@example.org\n",
        kind="text/csv",
    )
    type(job).objects.filter(pk=job.pk).update(state="queued", heartbeat_at=timezone.now())
    page.goto(f"/w/{org.slug}/bulk/{job.public_id}/")
    expect(page.get_by_text("Queued: a worker picks it up shortly.")).to_be_visible()
    assert "Stuck?" not in page.locator("main").inner_text()
    expect(page.get_by_role("button", name="Resume")).to_have_count(0)

    # one trailing-slash rule
    course = make_course(org, achievement)
    for slashed, lands in [
        (f"/learn/{org.slug}/{course.slug}/", f"/learn/{org.slug}/{course.slug}"),
        (f"/w/{org.slug}/settings/", f"/w/{org.slug}/settings"),
        (f"/w/{org.slug}/members/", f"/w/{org.slug}/members"),
        (f"/w/{org.slug}/issue/", f"/w/{org.slug}/issue"),
        ("/verify/", "/verify"),
    ]:
        response = page.goto(slashed)
        assert response.ok and page.url == f"{base_url}{lands}", (slashed, page.url)

    # a phone: the list and its search
    page.set_viewport_size(PHONE)
    page.goto(f"/w/{org.slug}/credentials/?q=tomas")
    expect(page.locator("#credential-table tbody tr")).to_have_count(1)
    assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
    save_screenshot(page, "workspace-credentials-search-phone", full_page=True)
    context.close()


def test_the_learner_and_verifier_side(browser, base_url, org, skilled, issue, tmp_path):
    # the home page, plainly, on both sizes
    context = browser.new_context(base_url=base_url, viewport=PHONE)
    page = context.new_page()
    for size, viewport in (("phone", PHONE), ("laptop", LAPTOP)):
        page.set_viewport_size(viewport)
        page.goto("/")
        text = page.locator("body").inner_text()
        assert "eddsa" not in text and "rdfc" not in text and "Acme Training" not in text
        expect(page.get_by_role("link", name=re.compile("Verify", re.I)).first).to_be_visible()
        save_screenshot(page, f"home-{size}", full_page=True)

    # the sign-up email greets the person, looked at as the mail client would show it
    mail.outbox.clear()
    page.goto("/accounts/signup/")
    page.get_by_label("Email").fill("new.person@uni.example")
    page.get_by_label("Password", exact=True).fill("a long pass phrase 42")
    page.get_by_label(re.compile("Password \\(again\\)|Confirm", re.I)).fill("a long pass phrase 42")
    page.get_by_role("button", name=re.compile("sign up", re.I)).click()
    page.wait_for_load_state()
    [signup] = [m for m in mail.outbox if "new.person@uni.example" in m.to]
    page.set_content(f"<pre>{signup.body}</pre>")
    first_line = page.locator("pre").inner_text().splitlines()[0]
    assert first_line == "Hello," and "127.0.0.1" not in first_line
    context.close()

    # the issue email of an expiring credential
    mail.outbox.clear()
    ada = issue(name="Ada Lovelace", email="ada@example.org", valid_until=datetime(2028, 12, 5, tzinfo=UTC))
    [issued_mail] = [m for m in mail.outbox if "ada@example.org" in m.to]
    context = browser.new_context(base_url=base_url, viewport=PHONE)
    page = context.new_page()
    page.set_content(issued_mail.alternatives[0][0])
    body = page.locator("body").inner_text()
    assert "It is yours until 5 December 2028" in body and "yours for life" not in body
    save_screenshot(page, "email-issued-expiring-phone", full_page=True)

    # /verify writes dates as every other page
    page.goto(f"/verify?url={ada.uri}")
    result = page.locator("main").inner_text()
    assert "5 December 2028" in result and not re.search(r"\d{4}-\d{2}-\d{2}T", result)

    # /verify takes the credential's link or its id as well as the file
    for given in (ada.public_id, ada.uri):
        page.goto("/verify")
        page.get_by_label("Paste a credential (JSON or JWT), its link or its id").fill(given)
        page.get_by_role("button", name="Verify").click()
        expect(page.get_by_role("status")).to_contain_text("Valid credential")
    page.get_by_label("Paste a credential (JSON or JWT), its link or its id").fill("doesnotexist123")
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_role("alert")).to_contain_text("There is no credential at that link")
    save_screenshot(page, "verify-unknown-id-phone", full_page=True)

    # a tampered file and a tampered stored credential: nobody is "Awarded to"
    document = json.loads(ada.document)
    document["credentialSubject"]["name"] = "Mallory Forger"
    forged = tmp_path / "forged.json"
    forged.write_text(json.dumps(document))
    page.goto("/verify")
    page.get_by_label("Upload a file").set_input_files(str(forged))
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_role("status")).to_contain_text("Not valid")
    expect(page.get_by_text("Claims to be awarded to")).to_be_visible()
    assert "Awarded to" not in page.locator("main").inner_text().replace("Claims to be awarded to", "")
    Credential.objects.filter(pk=ada.pk).update(
        document=json.dumps(document), recipient_name="Mallory Forger"
    )
    page.goto(f"/c/{ada.public_id}")
    expect(page.get_by_text("Not valid").first).to_be_visible()
    assert "Awarded to" not in page.locator("main").inner_text()
    # nor does its certificate show the forged name in large type
    expect(page.locator(".cert-image")).to_have_count(0)
    save_screenshot(page, "credential-tampered-phone", full_page=True)
    context.close()

    # the portal: delete away from export, private takes sharing away, a filter by skill
    other = create_achievement(
        organization=org, slug="sql", name="SQL Essentials", description="d", criteria_narrative="c"
    )
    python = issue(name="Grace Hopper", email="grace@example.org")
    issue(name="Grace Hopper", email="grace@example.org", achievement=other)
    client = Client()
    client.post("/me/login", {"email": "grace@example.org"})
    code = re.search(r"\b(\d{6})\b", mail.outbox[-1].subject).group(1)
    assert client.post("/me/login/code", {"code": code}).status_code == 302
    for size, viewport in (("phone", PHONE), ("laptop", LAPTOP)):
        context, page = _cookie_session(browser, base_url, viewport, client)
        page.goto("/me/")
        expect(page.locator("li.cred")).to_have_count(2)
        nav = page.get_by_role("navigation", name="Account")
        expect(nav.get_by_role("link", name="Export all (ZIP)")).to_be_visible()
        expect(nav.get_by_role("link", name="Delete account")).to_have_count(0)
        delete = page.get_by_role("link", name="Delete account")
        last_card = page.locator("li.cred").last.bounding_box()
        assert delete.bounding_box()["y"] > last_card["y"] + last_card["height"]
        page.get_by_label("Skill", exact=True).select_option("Gestión de proyectos")
        page.get_by_role("button", name="Show").click()
        expect(page.locator("li.cred")).to_have_count(1)
        expect(page.get_by_role("status")).to_contain_text(
            "1 of your 2 credentials covers “Gestión de proyectos”"
        )
        card = page.locator(f'[data-credential="{python.public_id}"]')
        expect(card.get_by_role("heading", name="Python Basics")).to_be_visible()
        save_screenshot(page, f"portal-skill-filter-{size}", full_page=True)
        if size == "laptop":
            card.get_by_role("button", name="Make private").click()
            expect(card.get_by_text("Private: make it public to share it.")).to_be_visible()
            expect(card.get_by_role("link", name="Add to LinkedIn")).to_have_count(0)
            expect(card.get_by_role("button", name="Copy link")).to_have_count(0)
            card.get_by_role("button", name="Make public").click()
            expect(card.get_by_role("link", name="Add to LinkedIn")).to_be_visible()
        page.get_by_role("link", name="Show all").click()
        expect(page.locator("li.cred")).to_have_count(2)
        context.close()
    assert timezone.now() - python.issued_at < timedelta(hours=1)
