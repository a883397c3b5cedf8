"""The certificate designer driven as a person does: pick a template from the gallery, drag a field,
edit a text in place, style it, nudge with the keyboard, undo, upload a signature (no edit lost), publish;
then the issued PDF's text is where the canvas showed it (within 1 mm)."""

from __future__ import annotations

import io
import json
import re

import pypdfium2 as pdfium
import pytest
from PIL import Image
from playwright.sync_api import expect

from tests.e2e.conftest import save_screenshot, sign_in

pytestmark = pytest.mark.django_db(transaction=True)

MM = 72 / 25.4


def _png(w, h, color) -> bytes:
    buf = io.BytesIO()
    im = Image.new("RGBA", (w, h), (0, 0, 0, 0))
    for x in range(20, w - 20):  # a scribble of a signature
        y = int(h / 2 + (h / 4) * ((x % 37) / 37 - 0.5))
        for dy in range(-2, 3):
            im.putpixel((x, y + dy), color)
    im.save(buf, "PNG")
    return buf.getvalue()


def _frame_mm(page, selector: str):
    """Where the canvas shows an element: its frame's box in mm from the page's top left. Found and
    measured in one go in the page: the frames are redrawn whenever a new preview arrives."""
    page.locator(selector).first.wait_for()
    return tuple(
        page.evaluate(
            """(selector) => {
                const el = document.querySelector(selector);
                const stage = document.getElementById('dz-stage').getBoundingClientRect();
                const [w, h] = JSON.parse(document.getElementById('designer-state').textContent).page;
                const b = el.getBoundingClientRect();
                return [(b.left - stage.left) * w / stage.width, (b.top - stage.top) * h / stage.height,
                        (b.right - stage.left) * w / stage.width, (b.bottom - stage.top) * h / stage.height];
            }""",
            selector,
        )
    )


def _box(page, selector: str) -> dict:
    """An element's box on screen, found and measured in one go (frames are redrawn as previews arrive)."""
    page.locator(selector).first.wait_for()
    return page.evaluate(
        """(selector) => {
            const b = document.querySelector(selector).getBoundingClientRect();
            return {x: b.left, y: b.top, width: b.width, height: b.height};
        }""",
        selector,
    )


def _glyphs_mm(pdf: bytes):
    doc = pdfium.PdfDocument(pdf)
    try:
        pg = doc[0]
        height = pg.get_height()
        tp = pg.get_textpage()
        out = []
        for i in range(tp.count_chars()):
            ch = tp.get_text_range(i, 1)
            if ch.strip():
                left, bottom, right, top = tp.get_charbox(i)
                out.append((ch, left / MM, (height - top) / MM, right / MM, (height - bottom) / MM))
        return out
    finally:
        doc.close()


def _wait_for_preview(page, after: int = 0) -> int:
    # a picture newer than `after` is shown and no newer one is on its way: a picture landing later would
    # redraw the page under the test's next click, and an edit that changes nothing draws no new picture
    page.wait_for_function(
        "() => { const d = document.getElementById('dz-stage').dataset;"
        f" return +(d.previewSeq || 0) > {after} && !d.previewBusy; }}"
    )
    return int(page.locator("#dz-stage").get_attribute("data-preview-seq"))


def _saved(page):
    expect(page.locator("#save-status")).to_contain_text("Draft saved")


def test_design_a_certificate_on_the_canvas_and_the_pdf_matches_it(page, org, achievement):
    from credstack.credentials.actions import issue_credential
    from credstack.designs.models import Design
    from credstack.organizations.models import Membership
    from tests.workspace.conftest import make_user

    user = make_user("designer@acme.example", password="a long pass phrase 42")
    Membership.objects.create(organization=org, user=user, role="admin")
    sign_in(page, user)

    # the gallery: thumbnails of every template; start from one
    page.goto(f"/w/{org.slug}/designs/")
    page.wait_for_function(
        "() => [...document.querySelectorAll('.gallery-item img')].every(i => i.complete && i.naturalWidth > 0)"
    )
    assert page.locator(".gallery-item").count() >= 8
    save_screenshot(page, "designer-gallery", full_page=True)
    page.get_by_label("Name").fill("Data course")
    page.locator(".gallery-item", has_text="Classic navy").click()
    page.get_by_role("button", name="Create and open the designer").click()
    page.wait_for_url(re.compile(r"/designs/[^/]+/$"))
    design = Design.objects.get(name="Data course")
    seq = _wait_for_preview(page)

    # drag the achievement line down and to the left
    field = ".dz-el[aria-label^='{achievement_name}']"
    before = _frame_mm(page, field)
    box = _box(page, field)
    stage = page.locator("#dz-stage").bounding_box()
    k = stage["width"] / 297  # px per mm
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] / 2 - 10 * k, box["y"] + box["height"] / 2 + 4 * k, steps=6)
    page.mouse.move(box["x"] + box["width"] / 2 - 20 * k, box["y"] + box["height"] / 2 + 8 * k, steps=6)
    page.mouse.up()
    seq = _wait_for_preview(page, seq)
    moved = _frame_mm(page, field)
    assert moved[0] == pytest.approx(before[0] - 20, abs=1.0) and moved[1] == pytest.approx(
        before[1] + 8, abs=1.0
    )
    # the selection shows its outline and handles outside the text, never on it
    assert page.evaluate(
        """() => {
            const frame = document.querySelector('.dz-el.selected').getBoundingClientRect();
            const e = document.querySelector('.dz-el.selected .dz-handle-e').getBoundingClientRect();
            const w = document.querySelector('.dz-el.selected .dz-handle-w').getBoundingClientRect();
            return e.left >= frame.right && w.right <= frame.left;
        }"""
    )

    # click the heading, click again: edit it in place
    heading = page.locator(".dz-el[aria-label^='Certificate']").first
    heading.click()
    heading.click()
    editbox = page.locator(".dz-editbox")
    expect(editbox).to_be_visible()
    page.keyboard.press("Control+A")
    page.keyboard.type("Certificate of Excellence")
    page.keyboard.press("Enter")
    seq = _wait_for_preview(page, seq)
    expect(page.get_by_label("Text", exact=True)).to_have_value("Certificate of Excellence")

    # style it in the inspector: size, colour, italic, letter spacing; a bad size is explained beside it
    size = page.get_by_label("Size (pt)")
    size.fill("900")
    expect(page.locator("[data-error-for=size]")).to_have_text("Size must be from 2 to 400 pt.")
    size.fill("30")
    page.get_by_label("Italic").check()
    page.get_by_label("Letter spacing (em)").fill("0.05")
    page.locator("#dz-f-color").evaluate(
        "(e) => { e.value = '#8b1e3f'; e.dispatchEvent(new Event('input', {bubbles: true})); }"
    )
    seq = _wait_for_preview(page, seq)
    _saved(page)

    # a text the renderer refuses: the draft is not saved, the reason is beside the Text box, and leaving
    # the page asks first
    text = page.get_by_label("Text", exact=True)
    text.fill("Certificate of {oops")
    expect(page.locator("[data-error-for=text]")).to_contain_text("Text: unbalanced '{'")
    expect(page.locator("#save-status")).to_contain_text("Not saved: fix the problems shown")
    dialogs = []
    page.once("dialog", lambda d: (dialogs.append(d.type), d.dismiss()))
    page.evaluate("setTimeout(() => { location.href = '/w/acme/'; }, 0)")
    page.wait_for_function("() => true")
    expect(page.locator("#dz-stage")).to_be_visible()
    page.wait_for_timeout(500)
    assert dialogs == ["beforeunload"] and page.url.endswith(f"/designs/{design.public_id}/")
    text.fill("Certificate of Excellence")
    _saved(page)

    # keyboard: three nudges right, then undo takes them back in one step, redo brings them again
    page.locator(".dz-el.selected").focus()
    x0 = _frame_mm(page, ".dz-el.selected")[0]
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    assert _frame_mm(page, ".dz-el.selected")[0] == pytest.approx(x0 + 3, abs=0.3)
    page.get_by_role("button", name="Undo").click()
    assert _frame_mm(page, ".dz-el.selected")[0] == pytest.approx(x0, abs=0.3)
    page.get_by_role("button", name="Redo").click()
    page.get_by_role("button", name="Undo").click()
    seq = _wait_for_preview(page, seq)

    # upload a signature: it goes into the draft, the heading edit stays, no reload
    page.evaluate("window.__same_page = true")
    page.get_by_label("Upload as").select_option("signature")
    page.locator("#dz-upload").set_input_files(
        files=[
            {"name": "signature.png", "mimeType": "image/png", "buffer": _png(600, 200, (20, 30, 90, 255))}
        ]
    )
    expect(page.locator("#save-status")).to_contain_text("signature.png added to the draft")
    assert page.evaluate("window.__same_page") is True
    expect(page.locator(".dz-el.dz-image.selected")).to_be_visible()
    # place it over the signature line, smaller: drag its corner handle
    sb = _box(page, ".dz-el.dz-image.selected")
    page.mouse.move(sb["x"] + sb["width"] / 2, sb["y"] + sb["height"] / 2)
    page.mouse.down()
    page.mouse.move(sb["x"] + sb["width"] / 2 + 6 * k, sb["y"] + sb["height"] / 2 + 2 * k, steps=8)
    page.mouse.up()
    seq = _wait_for_preview(page, seq)
    assert page.get_by_label("Text", exact=True).count() == 0  # the inspector shows the image now
    _saved(page)
    save_screenshot(page, "designer-editor")
    design.refresh_from_db()
    heading_el = next(e for e in design.draft_data["elements"] if e.get("id") == "heading")
    assert heading_el["text"] == "Certificate of Excellence" and heading_el["style"] == "italic"
    assert heading_el["color"] == "#8b1e3f" and heading_el["size"] == 30

    # guides can be hidden: no frame outline shows on the certificate
    page.keyboard.press("Escape")
    page.get_by_label("Guides").uncheck()
    assert page.locator(".dz-stage.no-guides").count() == 1
    save_screenshot(page, "designer-no-guides")
    page.get_by_label("Guides").check()

    # what the canvas shows now, then publish
    shown = {
        name: _frame_mm(page, f".dz-el[aria-label^='{label}']")
        for name, label in (("heading", "Certificate of Excellence"), ("achievement", "{achievement_name}"))
    }
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_text("Published as version 2")).to_be_visible()
    design.refresh_from_db()
    assert design.current.number == 2 and any(
        e.get("type") == "image" and e.get("asset", "").startswith("signature")
        for e in design.current.data["elements"]
    )

    # the issued certificate's PDF: its text is where the canvas showed it
    from credstack.achievements.actions import update_achievement

    update_achievement(achievement, design=design)
    credential = issue_credential(
        achievement=achievement, recipient_name="Ada Lovelace", recipient_email="ada@example.org"
    )
    pdf = page.request.get(f"/c/{credential.public_id}.pdf").body()
    glyphs = _glyphs_mm(pdf)
    for name, (x0, y0, x1, y1) in shown.items():
        inside = [
            g
            for g in glyphs
            if x0 - 1 <= (g[1] + g[3]) / 2 <= x1 + 1 and y0 - 1 <= (g[2] + g[4]) / 2 <= y1 + 1
        ]
        assert inside, name
        left, right = min(g[1] for g in inside), max(g[3] for g in inside)
        top, bottom = min(g[2] for g in inside), max(g[4] for g in inside)
        assert (left + right) / 2 == pytest.approx((x0 + x1) / 2, abs=1.0), name  # centred text
        assert top >= y0 - 1.0 and bottom <= y1 + 1.0, name
    assert "Excellence" in "".join(g[0] for g in glyphs) or "EXCELLENCE" in "".join(g[0] for g in glyphs)

    # a position stored with a binary fraction (made through the API, or by arithmetic on the page) reads
    # to the hundredth in the inspector: 44.55, not 44.55000000000001
    data = json.loads(json.dumps(design.current.data))
    next(e for e in data["elements"] if e.get("id") == "heading")["x"] = 44.55000000000001
    Design.objects.filter(pk=design.pk).update(draft_data=data)
    page.reload()
    heading = page.locator(".dz-el[aria-label^='Certificate of Excellence']").first
    expect(heading).to_be_visible()
    heading.click()
    expect(page.get_by_label("Left (mm)", exact=True)).to_have_value("44.55")
