"""An admin makes an API key on the Developers page, sees it once, calls the live API with it and revokes it;
then adds a webhook endpoint, sends a test event to a real receiver and sees the deliveries in the log.
On a phone (390 px) and a laptop (1280 px) no page scrolls sideways, long URLs and secrets included."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest
from playwright.sync_api import expect
from standardwebhooks.webhooks import Webhook

from credstack.api.models import ApiKey
from credstack.organizations.models import Membership
from credstack.webhooks.models import WebhookEndpoint
from tests.e2e.conftest import save_screenshot, sign_in
from tests.webhooks.test_outbound import Receiver, headers_of
from tests.workspace.conftest import make_user

pytestmark = pytest.mark.django_db(transaction=True)

LAPTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def receiver(settings):
    settings.CREDSTACK_WEBHOOKS_ALLOW_PRIVATE = True  # the receiver listens on loopback
    r = Receiver()
    yield r
    r.close()


def _api(base_url: str, key: str, path: str = "/api/v1/achievements") -> int:
    request = urllib.request.Request(base_url + path, headers={"Authorization": f"Bearer {key}"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # the live test server
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def _look(page, name: str) -> None:
    """Both sizes: nothing wider than the window; a screenshot of each when CREDSTACK_SHOTS is set."""
    for label, size in (("laptop", LAPTOP), ("phone", PHONE)):
        page.set_viewport_size(size)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{name} scrolls sideways by {overflow}px at {size['width']}px"
        save_screenshot(page, f"{name}-{label}", full_page=True)
    page.set_viewport_size(LAPTOP)


def test_admin_makes_uses_and_revokes_a_key_then_watches_webhook_deliveries(
    page, base_url, org, achievement, issue, receiver, settings
):
    user = make_user("owner-dev@example.org")
    Membership.objects.create(organization=org, user=user, role="owner")
    page.set_viewport_size(LAPTOP)
    sign_in(page, user)
    page.goto(f"/w/{org.slug}/")
    page.get_by_role("navigation", name="Workspace").get_by_role("link", name="Developers").click()
    expect(page.get_by_role("heading", name="Developers")).to_be_visible()

    # an API key, shown once
    page.get_by_label("Name").fill("Website sync")
    page.get_by_text("Also issue credentials").click()
    page.get_by_role("button", name="Create API key").click()
    expect(page.get_by_role("heading", name="Copy the key now: you will not see it again")).to_be_visible()
    secret = page.locator("#new-key").inner_text().strip()
    assert secret.startswith("csk_") and ApiKey.objects.get().scope == "issue"
    _look(page, "developers-key-created")
    assert _api(base_url, secret) == 200

    page.get_by_role("link", name="Done, I have copied it").click()
    row = page.locator("tr", has_text="Website sync")
    assert secret not in page.content()
    assert f"csk_{secret.split('_')[1]}_…" in row.inner_text() and "just now" in row.inner_text()
    page.once("dialog", lambda dialog: dialog.accept())
    row.get_by_role("button", name="Revoke Website sync").click()
    assert "revoked: requests with it are refused" in page.get_by_role("status").inner_text()
    assert "revoked" in page.locator("tr", has_text="Website sync").inner_text()
    assert _api(base_url, secret) == 401

    # an outbound webhook endpoint with a long URL, its secret shown once, a test event, a real event
    long_url = receiver.url + "/" + "a-rather-long-path-segment-" * 4 + "?token=" + "x" * 60
    page.get_by_role("link", name="Add endpoint").click()
    page.get_by_label("URL").fill(long_url)
    page.get_by_label("Description").fill("CRM sync")
    page.get_by_label("Only the events ticked below").check()
    page.get_by_label("credential.issued").check()
    settings.CREDSTACK_WEBHOOKS_ALLOW_PRIVATE = False  # as in production: loopback is refused
    page.get_by_role("button", name="Create endpoint").click()
    error = page.locator("#f-url-error")
    assert "127.0.0.1 is not a public address" in error.inner_text()
    assert page.get_by_label("URL").input_value() == long_url
    assert page.get_by_label("credential.issued").is_checked()
    _look(page, "developers-webhook-refused")
    settings.CREDSTACK_WEBHOOKS_ALLOW_PRIVATE = True  # the test's receiver again
    page.get_by_role("button", name="Create endpoint").click()
    expect(page.get_by_role("heading", name="Copy the signing secret now")).to_be_visible()
    signing_secret = page.locator("#signing-secret").inner_text().strip()
    endpoint = WebhookEndpoint.objects.get()
    assert signing_secret == endpoint.secret and endpoint.event_types == ["credential.issued"]
    _look(page, "developers-webhook-secret")

    page.get_by_role("link", name="Done: go to the endpoint").click()
    assert signing_secret not in page.content()
    page.get_by_role("button", name="Send a test event").click()
    assert "Test event delivered" in page.get_by_role("status").inner_text()
    issue(name="Grace Hopper", email="grace@example.org")  # a real event, through the issuing pipeline
    assert [json.loads(r["body"])["type"] for r in receiver.requests] == ["webhook.test", "credential.issued"]
    for request in receiver.requests:
        Webhook(signing_secret).verify(request["body"], headers_of(request))  # raises if not signed right
    page.reload()
    _look(page, "developers-webhook-endpoint")

    page.get_by_role("link", name="Delivery log").first.click()
    rows = page.locator("table.deliveries tbody tr")
    expect(rows).to_have_count(2)  # the log page has loaded
    assert "credential.issued" in rows.nth(0).inner_text() and "delivered" in rows.nth(0).inner_text()
    assert headers_of(receiver.requests[1])["webhook-id"] in rows.nth(0).inner_text()
    _look(page, "developers-webhook-log")
    rows.nth(0).get_by_role("button", name="Redeliver").click()
    assert "Redelivered" in page.get_by_role("status").inner_text()
    assert len(receiver.requests) == 3
    assert headers_of(receiver.requests[2])["webhook-id"] == headers_of(receiver.requests[1])["webhook-id"]

    page.get_by_role("link", name="← Endpoint").click()
    page.get_by_role("button", name="Turn off").click()
    assert "Off since" in page.get_by_role("alert").inner_text()
    _look(page, "developers-webhook-disabled")
    page.get_by_role("button", name="Turn on again").click()
    assert "Endpoint on again" in page.get_by_role("status").inner_text()
    page.get_by_role("link", name="← Developers").click()
    expect(page.locator("table.endpoints").get_by_text("delivered")).to_be_visible()
    _look(page, "developers-page")
