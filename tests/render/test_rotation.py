"""Rotated fields and images (issue 15): ``rotate`` turns an element clockwise about its box's centre,
in the PDF and so in the preview (the same drawing). Measured back out of the PDF with PDFium."""

from __future__ import annotations

import io
import math

import pytest
from PIL import Image

from credstack.render import design_problems, preview, render_pdf, sample_values
from credstack.render.design import MM

from .test_text_style import _design, _extent, _glyph_boxes_mm


def _text(rotate, **kw):
    return {
        "type": "text",
        "id": "t",
        "text": "ROTATED HEADING",
        "x": 100,
        "y": 90,
        "width": 100,
        "size": 24,
        "align": "center",
        "rotate": rotate,
        **kw,
    }


def test_a_quarter_turn_stands_the_text_upright_about_the_same_centre():
    flat = _extent(_glyph_boxes_mm(render_pdf(_design(_text(0)), {})))
    turned = _extent(_glyph_boxes_mm(render_pdf(_design(_text(90)), {})))
    fw, fh = flat[2] - flat[0], flat[3] - flat[1]
    tw, th = turned[2] - turned[0], turned[3] - turned[1]
    # width and height swap: the line now runs down the page
    assert tw == pytest.approx(fh, abs=1.0) and th == pytest.approx(fw, abs=1.0)
    assert th > 3 * tw
    # about the box's centre (x 150 mm, y 90 mm + half a 24 pt line)
    cy = 90 + 24 * 1.2 / MM / 2
    assert (turned[0] + turned[2]) / 2 == pytest.approx(150, abs=1.0)
    assert (turned[1] + turned[3]) / 2 == pytest.approx(cy, abs=1.0)


def test_a_clockwise_turn_puts_the_first_letter_high_on_the_left():
    boxes = _glyph_boxes_mm(render_pdf(_design(_text(30)), {}))
    first, last = boxes[0], boxes[-1]
    fx, fy = (first[1] + first[3]) / 2, (first[2] + first[4]) / 2
    lx, ly = (last[1] + last[3]) / 2, (last[2] + last[4]) / 2
    assert (first[0], last[0]) == ("R", "G")
    assert fx < lx and fy < ly  # reads left to right and goes down as it goes (clockwise)
    slope = (ly - fy) / (lx - fx)
    assert math.degrees(math.atan(slope)) == pytest.approx(30, abs=2)


def _dark_pixels(png: bytes):
    im = Image.open(io.BytesIO(png)).convert("L")
    xs, ys = [], []
    for y in range(0, im.height, 2):
        for x in range(0, im.width, 2):
            if im.getpixel((x, y)) < 100:
                xs.append(x)
                ys.append(y)
    return min(xs), min(ys), max(xs), max(ys)


def test_a_turned_box_and_qr_code_are_drawn_turned_in_the_preview():
    rect = {"type": "rect", "x": 100, "y": 80, "width": 80, "height": 10, "fill": "#000000", "rotate": 90}
    p = preview(_design(rect), {}, dpi=72)
    x0, y0, x1, y1 = _dark_pixels(p.image)
    px = 72 / 25.4
    assert (x1 - x0) / px == pytest.approx(10, abs=1.5)  # a tall thin bar now
    assert (y1 - y0) / px == pytest.approx(80, abs=1.5)
    assert (x0 + x1) / 2 / px == pytest.approx(140, abs=1.5)
    qr = {"type": "qr", "x": 100, "y": 60, "size": 40, "value": "https://example.org/x", "rotate": 45}
    p = preview(_design(qr), sample_values("latin"), dpi=72)
    x0, y0, x1, y1 = _dark_pixels(p.image)
    assert (x1 - x0) / px > 40  # its diagonal is wider than its side


def test_an_image_is_turned_too():
    buf = io.BytesIO()
    Image.new("RGB", (200, 20), (0, 0, 0)).save(buf, "PNG")
    el = {"type": "image", "asset": "bar", "x": 50, "y": 50, "width": 100, "height": 10, "rotate": -90}
    p = preview(_design(el), {}, {"bar": buf.getvalue()}, dpi=72)
    x0, y0, x1, y1 = _dark_pixels(p.image)
    px = 72 / 25.4
    assert (y1 - y0) / px == pytest.approx(100, abs=1.5)
    assert (x1 - x0) / px == pytest.approx(10, abs=1.5)


def test_a_bad_angle_is_refused_beside_its_field():
    problems = design_problems(_design(_text("a lot")))
    assert [(p.element, p.field) for p in problems] == [(0, "rotate")]
    assert "rotate must be a number from -360 to 360" in problems[0].message
    problems = design_problems(_design(_text(400)))
    assert [(p.element, p.field) for p in problems] == [(0, "rotate")]
