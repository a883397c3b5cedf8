"""Every page against WCAG 2.1 AA with axe-core (Deque's engine, interop/node_modules/axe-core): no serious or
critical violation on any public, learner or workspace page, each seen as a user reaches it (signed in where
it needs it, with a credential, a course, a design, a pathway, a portfolio in place).

axe is injected from the file; the pages' Content-Security-Policy would refuse that script (it carries no
nonce), so the context of this test alone bypasses CSP (`bypass_csp=True`): the CSP itself is checked by
test_content_security_policy.py. The keyboard-only journeys are in test_keyboard_journeys.py.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from django.core import mail

from credstack.organizations.actors import Actor
from tests.courses.factory import make_course
from tests.interop.conftest import ensure_node_modules

pytestmark = pytest.mark.django_db(transaction=True)

AXE = Path(__file__).resolve().parents[2] / "interop" / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = {"serious", "critical"}
PASSWORD = "a long pass phrase 42"
LEARNER = "amira@example.org"


def axe_violations(page, where: str) -> list[str]:
    """Run axe on the page as it is now; one readable line per serious or critical node."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        ensure_node_modules()  # axe-core is in interop/package.json: npm ci when missing or stale
        page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        TAGS,
    )
    lines = []
    for rule in result["violations"]:
        if rule["impact"] not in BLOCKING:
            continue
        for node in rule["nodes"]:
            target = " ".join(str(t) for t in node["target"])
            summary = (node.get("failureSummary") or "").replace("\n", " ")[:200]
            lines.append(f"{where}: [{rule['impact']}] {rule['id']} at {target}: {summary}")
    return lines


def _code_for(email: str) -> str:
    message = next(m for m in reversed(mail.outbox) if email in m.to and "sign-in code" in m.subject)
    return re.search(r"\b(\d{6})\b", message.subject).group(1)


@pytest.fixture
def seeded(org, achievement, issue, settings):
    """One organization with something on every page."""
    from credstack.achievements.actions import create_achievement
    from credstack.api.actions import create_api_key
    from credstack.credentials.actions import revoke_credential
    from credstack.designs.actions import create_design
    from credstack.designs.editor import gallery_design
    from credstack.organizations.models import Membership
    from credstack.pathways.actions import create_pathway
    from credstack.webhooks.actions import create_endpoint
    from tests.workspace.conftest import make_user

    user = make_user("owner@acme.example", password=PASSWORD)
    Membership.objects.create(organization=org, user=user, role="owner")
    course = make_course(org, achievement, lessons=1)
    valid = issue(email="grace@example.org", name="Grace Hopper")
    revoked = issue(email="alan@example.org", name="Alan Turing")
    revoke_credential(revoked, reason="Issued by mistake.", actor=Actor.command_line())
    sql = create_achievement(
        organization=org, slug="sql", name="SQL Essentials", description="d", criteria_narrative="c"
    )
    stack = create_achievement(
        organization=org, slug="data", name="Data Pathway", description="d", criteria_narrative="c"
    )
    pathway = create_pathway(achievement=stack, components=[achievement, sql])
    design = create_design(org, name="Classic", data=gallery_design("classic-navy"))
    create_api_key(org, name="Website sync", scope="read")
    settings.CREDSTACK_WEBHOOKS_ALLOW_PRIVATE = True
    endpoint = create_endpoint(org, url="http://127.0.0.1:9/hook", event_types=["credential.issued"])
    return {
        "course": course,
        "valid": valid,
        "revoked": revoked,
        "pathway": pathway,
        "design": design,
        "endpoint": endpoint,
    }


def test_every_page_has_no_serious_or_critical_wcag_violation(
    browser, base_url, org, achievement, seeded, tmp_path
):
    from credstack.portal.actions import account_for_email, publish_portfolio, save_portfolio

    course, lesson = seeded["course"], seeded["course"].lessons.get()
    problems: list[str] = []
    context = browser.new_context(base_url=base_url, viewport={"width": 1280, "height": 900}, bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(15_000)

    def check(url: str, label: str | None = None, status: int = 200) -> None:
        response = page.goto(url)
        assert response is not None and response.status == status, (
            f"{url}: HTTP {response and response.status}"
        )
        problems.extend(axe_violations(page, label or url))

    try:
        # public pages
        check("/")
        check("/verify")
        page.get_by_label("Paste a credential (JSON or JWT)").fill(json.dumps(seeded["revoked"].signed()))
        page.get_by_role("button", name="Verify").click()
        page.get_by_role("heading", name="Check another credential").wait_for()
        problems.extend(axe_violations(page, "/verify: a revoked credential's result"))
        check(f"/c/{seeded['valid'].public_id}", "credential page (valid)")
        check(f"/c/{seeded['revoked'].public_id}", "credential page (revoked)")
        check("/c/doesnotexist123", "unknown credential", status=404)
        check(f"/a/{achievement.public_id}", "achievement page")
        check(f"/learn/{org.slug}/{course.slug}", "course landing (signed out)")
        check(f"/learn/sign-in?next=/learn/{org.slug}/{course.slug}", "learner sign-in")
        check("/me/login", "portal sign-in")
        check("/accounts/login/", "workspace sign-in")

        # the learner: sign in, enrol, lesson, quiz (failed, then passed), completion, portal, portfolio
        page.goto(f"/learn/sign-in?next=/learn/{org.slug}/{course.slug}")
        page.get_by_label("Email address").fill(LEARNER)
        page.get_by_role("button", name="Email me a code").click()
        problems.extend(axe_violations(page, "learner sign-in: code step"))
        page.get_by_label("6-digit code").fill(_code_for(LEARNER))
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(re.compile(f"/learn/{org.slug}/{course.slug}$"))
        problems.extend(axe_violations(page, "course landing (signed in)"))
        page.get_by_label("Your name, as it should appear on your credential").fill("Amira Nakamura")
        page.get_by_role("button", name=re.compile("Enrol")).click()
        page.wait_for_url(re.compile("/lessons/"))
        problems.extend(axe_violations(page, "lesson"))
        page.get_by_role("button", name=re.compile("take the quiz")).click()
        page.wait_for_url(re.compile("/quiz$"))
        problems.extend(axe_violations(page, "quiz"))
        page.get_by_label("3", exact=True).check()
        page.get_by_role("button", name="Submit answers").click()
        page.get_by_role("status").wait_for()
        problems.extend(axe_violations(page, "quiz result (not passed)"))
        page.get_by_role("link", name="Try again").click()
        page.get_by_label("2", exact=True).check()
        page.get_by_role("button", name="Submit answers").click()
        page.wait_for_url(re.compile("/complete$"))
        problems.extend(axe_violations(page, "course completion"))
        check("/learn/", "learner's courses")
        check("/me/", "portal")
        check(f"/me/o/{org.slug}/", "portal (organization entry)")
        check("/me/portfolio", "portfolio editor")
        check("/me/emails", "portal: email addresses")
        earned = course.enrolments.get().credential
        account = account_for_email(LEARNER, verified_by="code")
        save_portfolio(account, slug="amira", title="Amira", credential_ids=[earned.public_id])
        publish_portfolio(account)
        check("/p/amira", "public portfolio")

        # the workspace, signed in as the owner
        page.goto("/accounts/login/")
        page.get_by_label("Email").fill("owner@acme.example")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name=re.compile("sign in", re.I)).click()
        page.wait_for_url(re.compile("/w/"))
        w = f"/w/{org.slug}"
        for url in [
            "/w/",
            f"{w}/",
            f"{w}/credentials/",
            f"{w}/credentials/{seeded['valid'].public_id}/",
            f"{w}/credentials/{seeded['revoked'].public_id}/",
            f"{w}/issue",
            f"{w}/bulk/",
            f"{w}/achievements/",
            f"{w}/achievements/new",
            f"{w}/designs/",
            f"{w}/designs/{seeded['design'].public_id}/",
            f"{w}/designs/{seeded['design'].public_id}/compare?a=1&b=draft",
            f"{w}/courses/",
            f"{w}/courses/new",
            f"{w}/courses/{course.public_id}/",
            f"{w}/courses/{course.public_id}/lessons/{lesson.key}/",
            f"{w}/courses/{course.public_id}/analytics",
            f"{w}/pathways/",
            f"{w}/pathways/new",
            f"{w}/pathways/{seeded['pathway'].public_id}/",
            f"{w}/settings",
            f"{w}/settings/signed-pdfs",
            f"{w}/settings/domain",
            f"{w}/members",
            f"{w}/developers/",
            f"{w}/developers/webhooks/new",
            f"{w}/developers/webhooks/{seeded['endpoint'].public_id}/",
            f"{w}/developers/webhooks/{seeded['endpoint'].public_id}/deliveries/",
            f"{w}/integrations/",
            f"{w}/audit/",
            f"{w}/analytics/",
        ]:
            check(url)
        check("/w/new", "new organization")
        # a bulk upload with a mistake: the dry-run report
        page.goto(f"{w}/bulk/")
        csv = tmp_path / "cohort.csv"
        csv.write_text("name,email\nAda Lovelace,ada@example.org\nAhmad,not-an-email\n", encoding="utf-8")
        page.get_by_label("File").set_input_files(str(csv))
        page.get_by_role("button", name="Upload and check").click()
        page.locator("#problems").wait_for()
        problems.extend(axe_violations(page, "bulk upload: the dry-run report"))
        # an issue form sent with mistakes
        page.goto(f"{w}/issue")
        page.get_by_role("button", name="Sign and issue").click()
        page.wait_for_load_state()
        problems.extend(axe_violations(page, "issue form with errors"))
    finally:
        context.close()
    assert not problems, f"{len(problems)} serious or critical WCAG 2.1 AA violations:\n" + "\n".join(
        problems
    )


def test_the_audit_names_the_rule_the_element_and_the_page(browser):
    """The check above finds what it is meant to: an image without a text alternative and light grey text
    on white are reported as rule, element and page."""
    context = browser.new_context()
    try:
        page = context.new_page()
        page.set_content(
            '<!doctype html><html lang="en"><head><title>t</title></head><body><main><h1>Title</h1>'
            '<img id="logo" src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">'
            '<p id="faint" style="color:#b0b0b0;background:#fff">Faint text</p></main></body></html>'
        )
        found = axe_violations(page, "a test page")
    finally:
        context.close()
    assert any(line.startswith("a test page: [critical] image-alt at #logo") for line in found), found
    assert any(line.startswith("a test page: [serious] color-contrast at #faint") for line in found), found
