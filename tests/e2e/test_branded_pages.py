"""The organization's brand in the browser, on a phone (390 px) and a laptop (1280 px): its logo and name in
the header of the course landing and the credential page, its colour on the buttons with text that stays
readable (a light yellow brand gets dark text), nothing scrolling sideways; and an unknown credential gets
a page that explains itself instead of a bare "Not Found"."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image, ImageDraw
from playwright.sync_api import expect

from credstack.organizations import actions as org_actions
from credstack.organizations.actors import Actor
from credstack.organizations.brand import contrast_ratio
from tests.courses.factory import make_course

from .conftest import save_screenshot

pytestmark = pytest.mark.django_db(transaction=True)

SIZES = {"phone": {"width": 390, "height": 844}, "laptop": {"width": 1280, "height": 900}}
BRAND = "#f2c230"  # a light, warm yellow: white text on it would be unreadable


def _logo() -> bytes:
    image = Image.new("RGBA", (240, 96), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((0, 8, 80, 88), radius=18, fill=BRAND)
    draw.ellipse((22, 30, 58, 66), fill="#3b2f00")
    draw.rectangle((96, 30, 230, 42), fill="#3b2f00")
    draw.rectangle((96, 54, 190, 66), fill="#8a6d00")
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def branded(org, achievement, issue):
    cli = Actor.command_line()
    org_actions.update_organization_settings(
        org, {"name": "Sunrise Academy of Data", "brand_color": BRAND}, ("image/png", _logo()), cli
    )
    org.refresh_from_db()
    make_course(org, achievement, lessons=3)
    return issue(name="Grace Hopper", email="grace@example.org")


def _hex(rgb: str) -> str:
    r, g, b = (int(x) for x in re.findall(r"\d+", rgb)[:3])
    return f"#{r:02x}{g:02x}{b:02x}"


def _looks_right(page, name: str) -> None:
    header = page.locator("header.topbar")
    expect(header).to_contain_text("Sunrise Academy of Data")
    expect(header).not_to_contain_text("credstack")
    logo = header.locator("img.brand-logo")
    expect(logo).to_be_visible()
    assert page.evaluate("document.querySelector('img.brand-logo').naturalWidth") > 0  # it loaded
    assert page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth"), (
        f"{name} scrolls sideways"
    )
    for button in page.locator("a.btn:not(.secondary):not(.linkedin)").all()[:3]:
        colours = button.evaluate("b => [getComputedStyle(b).color, getComputedStyle(b).backgroundColor]")
        fg, bg = (_hex(c) for c in colours)
        assert contrast_ratio(fg, bg) >= 4.5, (name, fg, bg)


@pytest.mark.parametrize("size", ["phone", "laptop"])
def test_course_landing_credential_page_and_404_wear_the_brand(browser, base_url, branded, size):
    context = browser.new_context(base_url=base_url, viewport=SIZES[size])
    page = context.new_page()
    suffix = "-mobile" if size == "phone" else ""

    page.goto("/learn/acme/python-101")
    expect(page.locator("h1")).to_contain_text("Python in Five Lessons")
    _looks_right(page, "course landing")
    save_screenshot(page, f"branded-course{suffix}", full_page=True)

    page.goto(f"/c/{branded.public_id}")
    expect(page.locator(".state")).to_contain_text("Valid")
    _looks_right(page, "credential page")
    assert _hex(page.evaluate("getComputedStyle(document.querySelector('.topbar')).borderTopColor")) == BRAND
    save_screenshot(page, f"branded-credential{suffix}")

    response = page.goto("/c/doesnotexist123")
    assert response.status == 404
    expect(page.locator("h1")).to_have_text("No such credential")
    expect(page.locator("main")).to_contain_text("No credential with this id was issued here")
    page.get_by_role("link", name="Verify a file or a link").click()
    expect(page).to_have_url(re.compile(r"/verify$"))
    page.go_back()
    assert page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth")
    save_screenshot(page, f"not-found-credential{suffix}")
    context.close()
