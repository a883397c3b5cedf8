"""Placing text on the certificate by dragging it on the live preview (and with the arrow keys)."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.django_db(transaction=True)

SHOTS = Path(os.environ["CREDSTACK_SHOTS"]) if os.environ.get("CREDSTACK_SHOTS") else None


def test_drag_a_field_on_the_preview_then_nudge_it_with_the_keyboard_and_save(page, org):
    from credstack.designs import actions, editor
    from credstack.designs.models import Design
    from credstack.organizations.models import Membership
    from tests.workspace.conftest import make_user

    user = make_user("designer@acme.example", password="a long pass phrase 42")
    Membership.objects.create(organization=org, user=user, role="admin")
    design = actions.create_design(org, name="Main", data=editor.build({}))
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill("designer@acme.example")
    page.get_by_label("Password").fill("a long pass phrase 42")
    page.get_by_role("button", name=re.compile("sign in", re.I)).click()
    page.goto(f"/w/{org.slug}/designs/{design.public_id}/")
    assert "<script" not in page.title()

    page.get_by_label("Custom field 1: text").fill("Score: {score}")
    handle = page.locator(".drag-handle", has_text="Score: {score}")
    handle.wait_for()
    preview = page.locator("#preview-img")
    preview.wait_for(state="visible")  # on a busy machine the preview may not be laid out yet
    img = preview.bounding_box()
    # A4 landscape: 297 x 210 mm. Drag the field to 25% across, 75% down = (74.3, 157.5) mm.
    box = handle.bounding_box()
    page.mouse.move(box["x"] + 7, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(img["x"] + img["width"] * 0.25, img["y"] + img["height"] * 0.6, steps=5)
    page.mouse.move(img["x"] + img["width"] * 0.25, img["y"] + img["height"] * 0.75, steps=5)
    page.mouse.up()
    x = float(page.get_by_label("Custom field 1: x (mm)").input_value())
    y = float(page.get_by_label("Custom field 1: y (mm)").input_value())
    assert abs(x - 74.3) < 2 and abs(y - 157.5) < 2
    assert page.evaluate("document.getElementById('designer').checkValidity()")  # on the inputs' step

    # keyboard: the redrawn handle keeps focus; 3 x right (1 mm) and Shift+up (5 mm)
    page.locator(".drag-handle", has_text="Score: {score}").focus()
    for key in ("ArrowRight", "ArrowRight", "ArrowRight", "Shift+ArrowUp"):
        page.keyboard.press(key)
        page.wait_for_function(
            "() => document.activeElement && document.activeElement.classList.contains('drag-handle')"
        )
    assert float(page.get_by_label("Custom field 1: x (mm)").input_value()) == pytest.approx(x + 3, abs=0.11)
    assert float(page.get_by_label("Custom field 1: y (mm)").input_value()) == pytest.approx(y - 5, abs=0.11)

    # a built-in field too: drag the heading near the top
    heading = page.locator(".drag-handle").first
    el_id = heading.get_attribute("data-field").removeprefix("o-")
    hb = heading.bounding_box()
    page.mouse.move(hb["x"] + 7, hb["y"] + hb["height"] / 2)
    page.mouse.down()
    page.mouse.move(img["x"] + img["width"] * 0.5, img["y"] + img["height"] * 0.45, steps=8)
    page.mouse.up()
    page.wait_for_timeout(300)
    if SHOTS:
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=str(SHOTS / "workspace-designer-drag.png"))
    page.get_by_role("button", name="Save as a new version").click()
    page.get_by_text("Saved as version 2").wait_for()
    settings = Design.objects.get(pk=design.pk).current.data["meta"]["editor"]
    extra = settings["extras"][0]
    assert extra["text"] == "Score: {score}"
    assert float(extra["x"]) == pytest.approx(x + 3, abs=0.11) and float(extra["y"]) == pytest.approx(
        y - 5, abs=0.11
    )
    moved = settings["overrides"][el_id]  # 50% across, 45% down: (148.5, 94.5) mm
    assert float(moved["x"]) == pytest.approx(148.5, abs=2) and float(moved["y"]) == pytest.approx(
        94.5, abs=2
    )
