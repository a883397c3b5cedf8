"""Browser tests: Playwright driving Debian's Chromium (/usr/bin/chromium) against a live server.

Playwright's sync API runs an event loop in the test thread; Django's ORM refuses to run inside one
unless told it is safe, which it is here (one thread drives both).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# A page that is still loading on a busy machine is waited for: `expect(...)` retries for as long as a page
# action does, instead of checking once (`assert locator.is_visible()` fails if the page is a moment late).
expect.set_options(timeout=15_000)

CHROMIUM = os.environ.get("CREDSTACK_CHROMIUM", "/usr/bin/chromium")
# A folder to save screenshots of the pages the tests visit (for docs/screenshots); unset: none are saved,
# so a test run never changes the working tree.
SHOTS = os.environ.get("CREDSTACK_SHOTS")


def save_screenshot(page, name: str, **options) -> None:
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), **options)


CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser() -> Iterator:
    from playwright.sync_api import sync_playwright

    if not shutil.which(CHROMIUM):
        pytest.fail(f"no Chromium at {CHROMIUM}: run scripts/system-deps.sh (apt-get install chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def base_url(live_server, settings) -> str:
    """The live server's URL, also used as the deployment's base URL for what it issues."""
    settings.CREDSTACK_BASE_URL = live_server.url
    return live_server.url


def sign_in(page_or_context, user) -> None:
    """Sign the browser in as ``user`` with a session cookie (a session Django's test client makes), for a
    test that is not about signing in: one page load and one POST fewer than the form, and no navigation
    left in flight. The sign-in form itself is driven by the tests about it (test_accessibility,
    test_keyboard_journeys, test_educator_languages_browser, test_pages_look_right's phone sign-in page,
    test_workspace's sign-up, the SSO tests)."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    context = getattr(page_or_context, "context", page_or_context)  # a Page has its context; a context is one
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": settings.CREDSTACK_BASE_URL}]
    )


@pytest.fixture
def page(browser, base_url) -> Iterator:
    context = browser.new_context(base_url=base_url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()
