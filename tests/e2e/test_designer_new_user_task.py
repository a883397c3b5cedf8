"""Issue 15's "Done when", driven as a new user would do it: the certificate of a real training company
(its logo, signature, seal, colours and fonts) made from a template, without documentation: change the
heading in place, upload the logo, a signature and a seal, restyle, rotate the seal with its handle,
move the heading and subheading together (marquee, arrow keys) and centre them with the logo, publish,
compare with the first version,
issue, download the PDF and check it: every field lands where the canvas showed it (within 1 mm), the
logo, signature and seal are centred where their frames were, the seal turned as on the canvas,
and the credential inside the PDF still verifies.

With CREDSTACK_SHOTS=docs/screenshots the steps are saved as designer-task-*.png."""

from __future__ import annotations

import io
import math
import os
import re
import time

import pypdfium2 as pdfium
import pytest
from PIL import Image, ImageDraw
from playwright.sync_api import expect

from tests.e2e.conftest import SHOTS, save_screenshot
from tests.e2e.test_workspace_designer_drag import MM, _box, _frame_mm, _glyphs_mm, _saved, _wait_for_preview

pytestmark = pytest.mark.django_db(transaction=True)  # the live server reads what the test writes


def _logo() -> bytes:
    im = Image.new("RGBA", (600, 180), (0, 0, 0, 0))
    d = ImageDraw.Draw(im)
    d.polygon([(20, 160), (90, 20), (160, 160)], fill=(194, 65, 12, 255))
    d.rectangle((190, 60, 580, 120), fill=(31, 41, 55, 255))
    buf = io.BytesIO()
    im.save(buf, "PNG")
    return buf.getvalue()


def _signature() -> bytes:
    im = Image.new("RGBA", (600, 200), (0, 0, 0, 0))
    d = ImageDraw.Draw(im)
    pts = [(30 + x, 100 + 45 * math.sin(x / 23) * math.cos(x / 61)) for x in range(0, 540, 3)]
    d.line(pts, fill=(20, 30, 90, 255), width=6)
    buf = io.BytesIO()
    im.save(buf, "PNG")
    return buf.getvalue()


def _seal() -> bytes:
    im = Image.new("RGBA", (400, 400), (0, 0, 0, 0))
    d = ImageDraw.Draw(im)
    d.ellipse((10, 10, 390, 390), fill=(176, 141, 60, 255))
    d.ellipse((50, 50, 350, 350), outline=(255, 255, 255, 255), width=8)
    d.rectangle((180, 60, 220, 340), fill=(120, 90, 30, 255))  # a bar: shows which way it is turned
    buf = io.BytesIO()
    im.save(buf, "PNG")
    return buf.getvalue()


def _upload(page, role: str, name: str, data: bytes) -> None:
    page.get_by_label("Upload as").select_option(role)
    page.locator("#dz-upload").set_input_files(
        files=[{"name": name, "mimeType": "image/png", "buffer": data}]
    )
    expect(page.locator("#save-status")).to_contain_text(f"{name} added to the draft")


def _set_colour(page, selector: str, value: str) -> None:
    page.locator(selector).evaluate(
        "(e, v) => { e.value = v; e.dispatchEvent(new Event('input', {bubbles: true})); }", value
    )


def _images(pdf: bytes) -> list[tuple[float, float, float]]:
    """Every image drawn on page one: (its turn in degrees clockwise, centre x, centre y in mm from the
    page's top left)."""
    doc = pdfium.PdfDocument(pdf)
    try:
        page = doc[0]
        height = page.get_height()
        out = []
        for obj in page.get_objects(max_depth=3):
            if obj.type == pdfium.raw.FPDF_PAGEOBJ_IMAGE:
                m = obj.get_matrix()
                left, bottom, right, top = obj.get_bounds()
                out.append(
                    (
                        round(-math.degrees(math.atan2(m.b, m.a)), 1),
                        (left + right) / 2 / MM,
                        (height - (top + bottom) / 2) / MM,
                    )
                )
        return out
    finally:
        doc.close()


def test_a_new_user_makes_a_training_companys_certificate_from_a_template(page, org, achievement):
    from credstack.achievements.actions import update_achievement
    from credstack.credentials.actions import issue_credential
    from credstack.credentials.resolver import local_fetch
    from credstack.designs.models import Design
    from credstack.organizations.models import Membership
    from credstack.render import extract_attachments
    from credstack.vc.verify import verify_credential
    from tests.workspace.conftest import make_user

    started = time.monotonic()
    user = make_user("trainer@northwind.example", password="a long pass phrase 42")
    Membership.objects.create(organization=org, user=user, role="admin")
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill("trainer@northwind.example")
    page.get_by_label("Password").fill("a long pass phrase 42")
    page.get_by_role("button", name=re.compile("sign in", re.I)).click()
    page.wait_for_url(re.compile("/w/"))

    # 1. a template from the gallery
    page.goto(f"/w/{org.slug}/designs/")
    page.get_by_label("Name", exact=True).first.fill("Forklift operator certificate")
    page.locator(".gallery-item", has_text="Classic navy").click()
    page.get_by_role("button", name="Create and open the designer").click()
    page.wait_for_url(re.compile(r"/designs/[^/]+/$"))
    design = Design.objects.get(name="Forklift operator certificate")
    seq = _wait_for_preview(page)
    save_screenshot(page, "designer-task-1-template")

    # 2. the heading, typed in place; the subheading in the inspector
    heading = page.locator(".dz-el[aria-label^='Certificate']").first
    heading.click()
    heading.click()
    expect(page.locator(".dz-editbox")).to_be_visible()
    page.keyboard.press("Control+A")
    page.keyboard.type("Certified Operator")
    page.keyboard.press("Enter")
    page.locator(".dz-el[aria-label^='of Completion']").click()
    page.get_by_label("Text", exact=True).fill("Forklift operator · counterbalance trucks")
    seq = _wait_for_preview(page, seq)

    # 3. the company's colours (the page) and fonts (the name in serif, their orange)
    page.keyboard.press("Escape")
    page.locator(".dz-layer").click(position={"x": 5, "y": 5})
    expect(page.get_by_label("Main colour")).to_be_visible()
    _set_colour(page, "#dz-bg-color", "#1f2937")
    _set_colour(page, "#dz-bg-accent", "#c2410c")
    page.locator(".dz-el[aria-label^='{recipient_name}']").click()
    page.get_by_label("Font").select_option("serif")
    page.get_by_label("Bold").check()
    _set_colour(page, "#dz-f-color", "#9a3412")
    seq = _wait_for_preview(page, seq)

    # 4. logo, signature and seal: each into the draft, no reload, no edit lost
    page.evaluate("window.__same_page = true")
    _upload(page, "logo", "northwind-logo.png", _logo())
    _upload(page, "signature", "signature.png", _signature())
    _upload(page, "seal", "seal.png", _seal())
    assert page.evaluate("window.__same_page") is True
    seq = _wait_for_preview(page, seq)

    # 5. the seal (selected after its upload): up to the top right corner, then turned with its handle
    stage = page.locator("#dz-stage").bounding_box()
    k = stage["width"] / 297  # px per mm
    sb = _box(page, ".dz-el.dz-image.selected")
    page.mouse.move(sb["x"] + sb["width"] / 2, sb["y"] + sb["height"] / 2)
    page.mouse.down()
    page.mouse.move(stage["x"] + 254 * k, stage["y"] + 40 * k, steps=10)
    page.mouse.up()
    seq = _wait_for_preview(page, seq)
    handle = _box(page, ".dz-el.selected .dz-handle-rot")
    frame = _box(page, ".dz-el.selected")
    cx, cy = frame["x"] + frame["width"] / 2, frame["y"] + frame["height"] / 2
    r = cy - (handle["y"] + handle["height"] / 2)
    page.mouse.move(handle["x"] + handle["width"] / 2, handle["y"] + handle["height"] / 2)
    page.mouse.down()
    page.keyboard.down("Shift")  # 15-degree steps
    a = math.radians(-14)
    page.mouse.move(cx + r * math.sin(a), cy - r * math.cos(a), steps=12)
    page.mouse.up()
    page.keyboard.up("Shift")
    expect(page.get_by_label("Rotation (°)")).to_have_value("-15")
    seq = _wait_for_preview(page, seq)
    assert page.locator(".dz-el.selected").get_attribute("data-rotate") == "-15"
    save_screenshot(page, "designer-task-2-rotated-seal")

    # 6. the heading and its subheading selected with a marquee and moved down together with the arrow
    # keys; shift-click adds the logo, and "Centre" lines the three up on one axis
    page.keyboard.press("Escape")
    labels = [".dz-el[aria-label^='Certified Operator']", ".dz-el[aria-label^='Forklift operator']"]
    before = {s: _frame_mm(page, s) for s in labels}
    # from the empty page just above the heading's middle, down into the subheading: the rectangle
    # touches those two and nothing else
    x0, x1 = 140, 156
    y0 = min(v[1] for v in before.values()) - 1.5
    y1 = max(v[3] for v in before.values()) - 1
    page.mouse.move(stage["x"] + x0 * k, stage["y"] + y0 * k)
    page.mouse.down()
    page.mouse.move(stage["x"] + x1 * k, stage["y"] + y1 * k, steps=10)
    page.mouse.up()
    expect(page.locator("#dz-inspector h2")).to_have_text("2 elements selected")
    assert page.locator(".dz-el.in-group").count() == 2
    # the pair, 2 mm down and 3 mm to the right (off the logo's axis, which "Centre" then restores)
    page.locator(".dz-el.in-group").first.focus()
    for key in ("ArrowDown",) * 2 + ("ArrowRight",) * 3:
        page.keyboard.press(key)
    seq = _wait_for_preview(page, seq)
    for sel, was in before.items():
        now = _frame_mm(page, sel)
        assert now[1] == pytest.approx(was[1] + 2, abs=0.3), sel
        assert now[0] == pytest.approx(was[0] + 3, abs=0.3), sel
    page.locator(".dz-el[aria-label^='Image: logo']").click(modifiers=["Shift"])
    expect(page.locator("#dz-inspector h2")).to_have_text("3 elements selected")
    save_screenshot(page, "designer-task-3-multiselect")
    three = [*labels, ".dz-el[aria-label^='Image: logo']"]

    def centres() -> list[float]:
        return [(f[0] + f[2]) / 2 for f in (_frame_mm(page, sel) for sel in three)]

    assert max(centres()) - min(centres()) == pytest.approx(3, abs=0.3)
    page.get_by_role("button", name="Centre", exact=True).click()
    seq = _wait_for_preview(page, seq)
    assert max(centres()) - min(centres()) < 0.3
    page.keyboard.press("Escape")
    _saved(page)
    save_screenshot(page, "designer-task-4-finished")

    # 7. what the canvas shows, then publish
    shown = {
        name: _frame_mm(page, f".dz-el[aria-label^='{label}']")
        for name, label in (
            ("heading", "Certified Operator"),
            ("subheading", "Forklift operator"),
            ("name", "{recipient_name}"),
            ("achievement", "{achievement_name}"),
            ("date-label", "Date of issue"),
        )
    }
    pictures = {
        name: _frame_mm(page, f".dz-el[aria-label^='Image: {name} (']")
        for name in ("logo", "signature-1", "seal-1")
    }
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_text("Published as version 2")).to_be_visible()
    design.refresh_from_db()
    seal = next(e for e in design.current.data["elements"] if e.get("asset", "").startswith("seal"))
    assert seal["rotate"] == -15

    # 8. compare with the template as it came: both renders and what changed
    page.goto(f"/w/{org.slug}/designs/{design.public_id}/compare?a=1&b=2")
    page.wait_for_function(
        "() => [...document.querySelectorAll('.compare-grid img')].every(i => i.complete && i.naturalWidth > 0)"
    )
    changes = page.locator("#cmp-changes").inner_text()
    assert "heading: text “Certificate” → “Certified Operator”; moved" in changes
    assert re.search(r"seal-1: added", changes)
    save_screenshot(page, "designer-task-5-compare", full_page=True)

    # 9. issue, download the PDF, check it
    update_achievement(achievement, design=design)
    credential = issue_credential(
        achievement=achievement, recipient_name="Grace Hopper", recipient_email="grace@example.org"
    )
    pdf = page.request.get(f"/c/{credential.public_id}.pdf").body()
    glyphs = _glyphs_mm(pdf)
    text = "".join(g[0] for g in glyphs)
    assert "CERTIFIEDOPERATOR" in text and "Grace Hopper".replace(" ", "") in text.replace(" ", "")
    for name, (fx0, fy0, fx1, fy1) in shown.items():
        inside = [
            g
            for g in glyphs
            if fx0 - 1 <= (g[1] + g[3]) / 2 <= fx1 + 1 and fy0 - 1 <= (g[2] + g[4]) / 2 <= fy1 + 1
        ]
        assert inside, name
        left, right = min(g[1] for g in inside), max(g[3] for g in inside)
        top, bottom = min(g[2] for g in inside), max(g[4] for g in inside)
        assert (left + right) / 2 == pytest.approx((fx0 + fx1) / 2, abs=1.0), name
        assert top >= fy0 - 1.0 and bottom <= fy1 + 1.0, name
    drawn = _images(pdf)
    for name, (fx0, fy0, fx1, fy1) in pictures.items():
        # each picture is drawn centred where its frame is (a turned one turns about that centre)
        cx, cy = (fx0 + fx1) / 2, (fy0 + fy1) / 2
        assert any(abs(x - cx) <= 1.0 and abs(y - cy) <= 1.0 for _a, x, y in drawn), (name, cx, cy, drawn)
    seal_frame = pictures["seal-1"]
    seal_centre = ((seal_frame[0] + seal_frame[2]) / 2, (seal_frame[1] + seal_frame[3]) / 2)
    (seal_angle,) = [a for a, x, y in drawn if abs(x - seal_centre[0]) <= 1 and abs(y - seal_centre[1]) <= 1]
    assert seal_angle == -15.0  # the seal, turned as on the canvas
    report = verify_credential(extract_attachments(pdf)["credential.json"], fetch=local_fetch)
    assert report.valid, report.to_dict()
    if SHOTS:
        doc = pdfium.PdfDocument(pdf)
        doc[0].render(scale=1.5).to_pil().save(os.path.join(SHOTS, "designer-task-6-issued-pdf.png"))
        doc.close()
    print(f"designer task, driven by the script: {time.monotonic() - started:.0f} s")
