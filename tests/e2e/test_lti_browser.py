"""LTI 1.3 in Chromium, with the LMS on another site than credstack (``localhost`` vs ``127.0.0.1``): the
launch is a cross-site form POST, at the top and inside the LMS's iframe; a replayed launch and a bad
audience are refused; Deep Linking places the chosen course; Dynamic Registration completes and closes."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from credstack.learning import actions as learning
from credstack.lti.actions import registration_url
from credstack.lti.models import LtiPlatform
from credstack.organizations.actors import Actor
from credstack.organizations.models import Membership
from tests.courses.factory import make_course
from tests.e2e.conftest import save_screenshot, sign_in
from tests.lti.browser_platform import registered_lms
from tests.workspace.conftest import make_user

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def lms(base_url, org, achievement, settings):
    platform = registered_lms(base_url, org, achievement, settings)
    yield platform
    assert platform.errors == []
    platform.close()


def test_a_cross_site_launch_at_the_top_signs_in_and_a_replay_is_refused(page, lms, base_url):
    assert lms.url.split(":")[1] != base_url.split(":")[1]  # two sites
    page.goto(f"{lms.url}/course?mode=top")
    page.wait_for_url(f"{base_url}/learn/acme/python-101")
    expect(page.get_by_role("heading", name="Python in Five Lessons")).to_be_visible()
    expect(
        page.get_by_text("Start the course").first
    ).to_be_visible()  # signed in: the player, not the outline
    assert learning.learner_for("mei@school.example").enrolments.count() == 1

    page.goto(f"{lms.url}/replay")  # the same id_token and state posted again, across sites
    expect(page.get_by_role("heading", name="This launch could not be verified")).to_be_visible()
    expect(page.get_by_text("State not found")).to_be_visible()


def test_a_launch_inside_the_lms_iframe_renders_and_opens_the_player(page, lms, base_url):
    page.goto(f"{lms.url}/course?mode=frame")
    frame = page.frame_locator("#tool")
    expect(frame.get_by_role("heading", name="Python in Five Lessons")).to_be_visible()
    save_screenshot(page, "lti-launch-in-iframe")
    with page.context.expect_page() as opened:
        frame.get_by_role("link", name="Open the course").click()
    player = opened.value
    player.wait_for_url(f"{base_url}/learn/acme/python-101")
    expect(player.get_by_text("Start the course").first).to_be_visible()


def test_an_id_token_with_two_audiences_and_no_azp_is_refused(page, lms):
    page.goto(f"{lms.url}/course?mode=badaud")
    frame = page.frame_locator("#tool")
    expect(frame.get_by_role("heading", name="This launch could not be verified")).to_be_visible()
    expect(frame.get_by_text("several audiences and no authorized party")).to_be_visible()
    assert not learning.learner_for("mei@school.example").enrolments.exists()


def test_deep_linking_returns_the_chosen_course(page, lms, org, achievement):
    make_course(org, achievement, lessons=2, slug="sql-101", title="SQL Essentials")
    page.goto(f"{lms.url}/course?mode=deeplink")
    frame = page.frame_locator("#tool")
    expect(frame.get_by_role("heading", name="Choose a course of Acme Training")).to_be_visible()
    save_screenshot(page, "lti-deep-linking")
    frame.get_by_label("SQL Essentials").check()
    frame.get_by_role("button", name="Add this course").click()
    expect(frame.get_by_text("Placed: SQL Essentials (course=sql-101)")).to_be_visible()
    [answer] = lms.deep_link_answers
    assert answer["https://purl.imsglobal.org/spec/lti/claim/message_type"] == "LtiDeepLinkingResponse"
    assert answer["https://purl.imsglobal.org/spec/lti-dl/claim/data"] == "opaque-lms-data-42"
    [item] = answer["https://purl.imsglobal.org/spec/lti-dl/claim/content_items"]
    assert item["type"] == "ltiResourceLink" and item["url"].endswith("/lti/launch")
    assert item["lineItem"]["scoreMaximum"] == 100


def test_dynamic_registration_completes_and_closes(page, base_url, org, settings, lms):
    user = make_user("admin-lti@example.org")
    Membership.objects.create(organization=org, user=user, role="admin")
    url = registration_url(org, Actor.for_user(user))
    page.goto(f"{lms.url}/admin/register?url={url}")
    expect(page.locator("#status")).to_have_text("closed by the tool")
    registered = LtiPlatform.objects.get(client_id="dyn-client-1")
    assert registered.issuer == lms.url and registered.deployment_ids == ["dyn-deployment-1"]
    assert registered.key_set_url == lms.url + "/jwks"
    [sent] = lms.registrations
    assert sent["initiate_login_uri"] == f"{base_url}/lti/login"
    assert sent["jwks_uri"] == f"{base_url}/lti/jwks"
    assert sent["https://purl.imsglobal.org/spec/lti-tool-configuration"]["messages"][0]["type"] == (
        "LtiDeepLinkingRequest"
    )


def test_the_registration_page_in_the_workspace(page, base_url, org, lms):
    user = make_user("owner-lti@example.org")
    Membership.objects.create(organization=org, user=user, role="owner")
    sign_in(page, user)
    page.goto(f"/w/{org.slug}/lti/")
    expect(page.get_by_role("heading", name="LTI 1.3 (Moodle, Canvas, Brightspace…)")).to_be_visible()
    expect(page.locator("#lti-login")).to_have_text(f"{base_url}/lti/login")
    page.get_by_label("Name").fill("Moodle of Acme")
    page.get_by_label("Platform ID (issuer)").fill("https://moodle.acme.example")
    page.get_by_label("Client ID").fill("moodle-client-1")
    page.get_by_label("Deployment ID(s)").fill("1")
    page.get_by_label("Authentication request URL").fill("https://moodle.acme.example/mod/lti/auth.php")
    page.get_by_label("Access token URL").fill("https://moodle.acme.example/mod/lti/token.php")
    page.get_by_label("Public keyset URL").fill("https://moodle.acme.example/mod/lti/certs.php")
    save_screenshot(page, "lti-registration-page", full_page=True)
    page.get_by_role("button", name="Register platform").click()
    expect(page.get_by_text("Moodle of Acme is registered")).to_be_visible()
    expect(page.locator("#platform-table")).to_contain_text("moodle-client-1")
    save_screenshot(page, "lti-registered-platforms", full_page=True)
    page.get_by_role("button", name="Copy").first.click()
    expect(
        page.get_by_role("button", name="Copied").or_(page.get_by_text("Selected: press Ctrl+C"))
    ).to_be_visible()
