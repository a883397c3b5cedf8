"""An educator links ClassMarker: creates the endpoint from its preset, tries a sample payload, sets the pass
mark; real deliveries to the receiving URL issue the credential (or are skipped), the event log shows the
outcomes and a skipped event is replayed after the condition is changed."""

from __future__ import annotations

import json
import os
import urllib.request

import pytest
from playwright.sync_api import expect

from credstack.credentials.models import Credential
from credstack.integrations import signatures
from credstack.integrations.models import InboundEndpoint
from credstack.organizations.models import Membership
from tests.e2e.conftest import sign_in
from tests.integrations.conftest import sample
from tests.workspace.conftest import make_user

pytestmark = pytest.mark.django_db(transaction=True)

SHOTS = os.environ.get("CREDSTACK_SHOTS")  # a folder: also save screenshots there


def _deliver(url: str, body: bytes, secret: str) -> dict:
    request = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "X-Classmarker-Hmac-Sha256": signatures.expected("classmarker", secret, body),
        },
    )
    with urllib.request.urlopen(request, timeout=30) as response:  # the live test server
        assert response.status in (200, 202)
        return json.loads(response.read())


def _sign_in(page, org):
    user = make_user("owner-int@example.org")
    Membership.objects.create(organization=org, user=user, role="owner")
    sign_in(page, user)


def test_educator_links_classmarker_and_completions_issue_credentials(page, base_url, org, achievement):
    _sign_in(page, org)
    page.goto(f"/w/{org.slug}/integrations/")
    expect(page.get_by_role("heading", name="Integrations")).to_be_visible()
    page.get_by_text("ClassMarker", exact=True).click()
    page.get_by_label("Name").fill("Final exam (ClassMarker)")
    page.get_by_label("Achievement to issue").select_option(label=achievement.name)
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/integrations-list.png", full_page=True)
    page.get_by_role("button", name="Create endpoint").click()
    expect(page.get_by_role("heading", name="Final exam (ClassMarker)")).to_be_visible()
    endpoint = InboundEndpoint.objects.get()
    assert page.locator("#endpoint-url").inner_text() == endpoint.url

    page.get_by_label("Webhook secret phrase (from ClassMarker)").fill("cm-secret-phrase")
    page.get_by_label("Condition 3 path").fill("result.percentage")
    page.get_by_label("Condition 3 operator").select_option("gte")
    page.get_by_label("Condition 3 value").fill("80")
    page.get_by_role("button", name="Save").click()
    assert "Saved." in page.get_by_role("status").inner_text()

    page.get_by_role("textbox", name="Sample payload").fill(sample("classmarker")[0].decode())
    page.get_by_role("button", name="Test", exact=True).click()
    verdict = page.locator("#preview-result .verdict")
    verdict.wait_for()
    assert (
        "Would be skipped" in verdict.inner_text()
        and "result.percentage is 75.0; it must be ≥ 80" in verdict.inner_text()
    )
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/integrations-endpoint.png", full_page=True)

    endpoint.refresh_from_db()
    body = sample("classmarker")[0]
    skipped = _deliver(endpoint.url, body, "cm-secret-phrase")
    assert skipped["outcome"] == "skipped"
    passing = json.loads(body)
    passing["result"].update(
        email="kofi@example.org", first="Kofi", last="Annan-Østergaard", percentage=92.0, user_id="991"
    )
    issued = _deliver(endpoint.url, json.dumps(passing).encode(), "cm-secret-phrase")
    assert issued["outcome"] == "issued"
    assert (
        Credential.objects.get(recipient_email="kofi@example.org").recipient_name == "Kofi Annan-Østergaard"
    )

    # lower the pass mark, then replay the skipped event from the log
    page.reload()
    page.get_by_label("Condition 3 value").fill("70")
    page.get_by_role("button", name="Save").click()
    page.get_by_role("link", name="Event log").click()
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(2)  # the event log has loaded
    assert "Skipped" in rows.nth(1).inner_text() and "must be ≥ 80" in rows.nth(1).inner_text()
    page.get_by_role("button", name="Replay").click()
    assert "Replayed: issued" in page.get_by_role("status").inner_text()
    expect(page.locator("tbody tr .pill-issued")).to_have_count(2)
    assert Credential.objects.get(recipient_email="mary@example.com").recipient_name == "Mary Williams"
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/integrations-events.png", full_page=True)

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"/w/{org.slug}/integrations/{endpoint.public_id}/")
    expect(page.locator("#endpoint-url")).to_be_visible()
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/integrations-mobile.png", full_page=False)


def test_educator_links_teachable_and_its_array_deliveries_issue_once(page, base_url, org, achievement):
    _sign_in(page, org)
    page.goto(f"/w/{org.slug}/integrations/")
    page.get_by_text("Teachable", exact=True).click()
    page.get_by_label("Name").fill("Workplace First Aid (Teachable)")
    page.get_by_label("Achievement to issue").select_option(label=achievement.name)
    page.get_by_role("button", name="Create endpoint").click()
    endpoint = InboundEndpoint.objects.get()
    # Teachable cannot sign: no secret to fill in, the page says the URL is the protection
    assert page.get_by_label("Signing secret").count() == 0
    assert "does not sign its deliveries" in page.locator("form.card").inner_text()

    completion = json.loads(sample("teachable")[0])[0]
    other_event = {
        "type": "LectureProgress.created",
        "hook_event_id": 879390003,
        "object": {"user": {"email": "lecture.learner@example.org", "name": "Lecture Learner"}},
    }
    delivery = json.dumps([other_event, completion], indent=2)
    page.get_by_role("textbox", name="Sample payload").fill(delivery)
    page.get_by_role("button", name="Test", exact=True).click()
    page.locator("#preview-result .verdict").first.wait_for()
    verdicts = page.locator("#preview-result .verdict")
    assert verdicts.count() == 2
    assert "Would be skipped" in verdicts.nth(0).inner_text()
    assert "Would issue" in verdicts.nth(1).inner_text() and "Amara Okafor" in verdicts.nth(1).inner_text()
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/integrations-teachable.png", full_page=True)

    for expected_status in (202, 200):  # Teachable retries: the second delivery changes nothing
        request = urllib.request.Request(
            endpoint.url, data=delivery.encode(), method="POST", headers={"Content-Type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=30) as response:  # the live test server
            assert response.status == expected_status
            results = json.loads(response.read())["events"]
        assert [r["outcome"] for r in results] == ["skipped", "issued"]
    assert Credential.objects.get().recipient_name == "Amara Okafor"

    page.get_by_role("link", name="Event log").click()
    rows = page.locator("tbody tr")
    expect(rows).to_have_count(2)  # the event log has loaded
    assert page.locator("tbody tr .pill-issued").count() == 1
