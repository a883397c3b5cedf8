"""Text style per field (font, size, colour, weight, italic, alignment, letter spacing, case, maximum
width with shrink-to-fit) is carried in the design and lands in the PDF where the design says: every
text's glyphs are measured back out of the PDF with PDFium and compared with the design (within 1 mm)."""

from __future__ import annotations

import pypdfium2 as pdfium
import pytest

from credstack.render import (
    builtin_design,
    design_problems,
    preview,
    render_pdf,
    sample_values,
    validate_design,
)
from credstack.render.design import MM, apply_case

W, H = 297.0, 210.0  # A4 landscape


def _design(*elements, background=None):
    return {
        "version": 1,
        "page": {"size": "A4", "orientation": "landscape"},
        "background": background or {"fill": "#ffffff"},
        "elements": list(elements),
    }


def _glyph_boxes_mm(pdf: bytes) -> list[tuple[str, float, float, float, float]]:
    """Every character PDFium finds: (char, left, top, right, bottom) in mm from the page's top left."""
    doc = pdfium.PdfDocument(pdf)
    try:
        page = doc[0]
        height = page.get_height()
        text = page.get_textpage()
        out = []
        for i in range(text.count_chars()):
            ch = text.get_text_range(i, 1)
            if not ch.strip():
                continue
            left, bottom, right, top = text.get_charbox(i)
            out.append((ch, left / MM, (height - top) / MM, right / MM, (height - bottom) / MM))
        return out
    finally:
        doc.close()


def _extent(boxes):
    return (
        min(b[1] for b in boxes),
        min(b[2] for b in boxes),
        max(b[3] for b in boxes),
        max(b[4] for b in boxes),
    )


@pytest.mark.parametrize("align", ["left", "center", "right"])
@pytest.mark.parametrize("font", ["sans", "serif"])
def test_text_lands_where_the_design_puts_it_within_a_millimetre(align, font):
    el = {
        "type": "text",
        "id": "t",
        "text": "Placed Here",
        "x": 113.1,
        "y": 57.3,
        "width": 90,
        "size": 20,
        "font": font,
        "align": align,
    }
    pdf = render_pdf(_design(el), {})
    left, top, right, bottom = _extent(_glyph_boxes_mm(pdf))
    if align == "left":
        assert left == pytest.approx(113.1, abs=1.0)
    elif align == "right":
        assert right == pytest.approx(113.1 + 90, abs=1.0)
    else:
        assert (left + right) / 2 == pytest.approx(113.1 + 45, abs=1.0)
    # one line, centred in its box of one line height (20 pt x 1.2)
    box_mid = 57.3 + 20 * 1.2 / MM / 2
    assert (top + bottom) / 2 == pytest.approx(box_mid, abs=1.0)


def test_every_field_of_a_builtin_template_lands_where_the_preview_says():
    """The boxes the editor draws its frames from (preview()) are where the PDF's glyphs are."""
    design = builtin_design("classic", signatory={"name": "Helen Okafor", "title": "Director"})
    values = sample_values("latin")
    p = preview(design, values, {}, dpi=72)
    glyphs = _glyph_boxes_mm(render_pdf(design, values, {}))
    checked = 0
    for _index, box in p.boxes:
        if not box.text.strip():
            continue
        x0, y0, x1, y1 = box.x0 / MM, box.y0 / MM, box.x1 / MM, box.y1 / MM
        inside = [
            g
            for g in glyphs
            if x0 - 1 <= (g[1] + g[3]) / 2 <= x1 + 1 and y0 - 1 <= (g[2] + g[4]) / 2 <= y1 + 1
        ]
        assert inside, box.text
        left, _top, right, _bottom = _extent(inside)
        assert left == pytest.approx(x0, abs=1.0) and right == pytest.approx(x1, abs=1.0), box.text
        checked += 1
    assert checked >= 8


def test_a_long_text_shrinks_to_fit_its_maximum_width():
    long = "Maximiliana Alexandrovna Wolfeschlegelsteinhausen-Bergerdorff"
    el = {"type": "text", "text": long, "x": 20, "y": 40, "width": 80, "size": 30, "min_size": 6}
    left, _, right, _ = _extent(_glyph_boxes_mm(render_pdf(_design(el), {})))
    assert right - left <= 80 + 0.5 and left >= 20 - 0.5
    p = preview(_design(el), {}, {})
    assert p.boxes[0][1].size < 30  # it really shrank


def test_letter_spacing_weight_italic_and_case_change_what_is_drawn():
    base = {"type": "text", "text": "Spacing test", "x": 20, "y": 40, "width": 250, "size": 18}
    width = {}
    for name, extra in {
        "plain": {},
        "spaced": {"letter_spacing": 0.3},
        "bold": {"weight": "bold"},
    }.items():
        left, _, right, _ = _extent(_glyph_boxes_mm(render_pdf(_design({**base, **extra}), {})))
        width[name] = right - left
    assert width["spaced"] > width["plain"] + 10
    assert width["bold"] > width["plain"]
    assert apply_case("ada lovelace", "capitalize") == "Ada Lovelace"
    assert apply_case("McDonald", "uppercase") == "MCDONALD"
    for transform, expected in {
        "lowercase": "mixed case",
        "capitalize": "Mixed Case",
        "uppercase": "MIXED CASE",
    }.items():
        el = {**base, "text": "mixed Case", "transform": transform}
        assert "".join(g[0] for g in _glyph_boxes_mm(render_pdf(_design(el), {}))) == expected.replace(
            " ", ""
        )


def test_colour_is_drawn_in_the_preview_exactly():
    el = {"type": "text", "text": "██████", "x": 20, "y": 40, "width": 200, "size": 40, "color": "#c0306a"}
    import io

    from PIL import Image

    p = preview(_design(el), {}, {}, dpi=72)
    im = Image.open(io.BytesIO(p.image)).convert("RGB")
    colours = {
        im.getpixel((x, y)) for x in range(60, 200, 7) for y in range(int(40 * MM) + 5, int(40 * MM) + 35, 5)
    }
    assert (0xC0, 0x30, 0x6A) in colours


def test_bad_style_values_are_tied_to_their_element_and_field():
    el = {
        "type": "text",
        "text": "x",
        "x": 10,
        "y": 10,
        "width": 50,
        "size": 900,
        "font": "comic",
        "transform": "shout",
        "color": "white",
    }
    problems = design_problems(_design({"type": "qr", "x": 1, "y": 1, "size": 20}, el))
    assert {(p.element, p.field) for p in problems} == {
        (1, "size"),
        (1, "font"),
        (1, "transform"),
        (1, "color"),
    }
    assert (
        validate_design(
            _design({**el, "size": 20, "font": "serif", "transform": "capitalize", "color": "#fff"})
        )
        == []
    )


def test_light_text_on_a_light_background_is_warned_about():
    el = {
        "type": "text",
        "id": "issuer",
        "text": "Northbridge Institute",
        "x": 20,
        "y": 40,
        "width": 200,
        "size": 20,
        "color": "#ffffff",
    }
    light = preview(_design(el, background={"fill": "#f4efe3"}), {}, {})
    assert [(w.element, w.id) for w in light.warnings] == [(0, "issuer")]
    w = light.warnings[0]
    assert w.ratio < 1.5 and w.background.startswith("#f") and w.background != "#ffffff"
    assert "Hard to read" in w.message and "2.5:1" in w.message
    dark = preview(_design(el, background={"fill": "#1d3f6e"}), {}, {})
    assert dark.warnings == []


@pytest.mark.parametrize("template", ["classic", "modern", "minimal", "elegant"])
def test_builtin_templates_have_no_contrast_warnings(template):
    assert preview(builtin_design(template), sample_values(), {}).warnings == []


@pytest.mark.parametrize("font", ["sans", "serif"])
def test_bold_italic_is_slanted_not_drawn_as_plain_bold(font):
    """No bold italic face is bundled: the bold face is slanted, so italic still shows when bold."""
    el = {
        "type": "text",
        "text": "Il",
        "x": 20,
        "y": 40,
        "width": 100,
        "size": 60,
        "font": font,
        "weight": "bold",
    }
    upright = _glyph_boxes_mm(render_pdf(_design(el), {}))
    slanted = _glyph_boxes_mm(render_pdf(_design({**el, "style": "italic"}), {}))
    # the same glyphs, the slanted ones leaning right: their boxes are wider at the same place
    assert [g[0] for g in upright] == [g[0] for g in slanted] == ["I", "l"]
    assert slanted[0][3] - slanted[0][1] > upright[0][3] - upright[0][1] + 1
