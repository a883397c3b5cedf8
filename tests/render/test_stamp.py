"""The state band of the pure renderer: the word is in the PDF's text, the badge's pixels change across
it (size and transparency kept), an SVG gets it before its closing tag, and a non-SVG is refused."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from credstack.render import (
    badge_png,
    badge_svg,
    builtin_design,
    render_pdf,
    sample_values,
    stamp_png,
    stamp_svg,
)
from tests.pdftext import page_text as _text


def test_the_band_reads_as_text_over_any_script():
    design = builtin_design("classic", color="#1d3f6e")
    plain = render_pdf(design, sample_values("arabic"), {})
    marked = render_pdf(
        design, sample_values("arabic"), {}, stamp="Suspended", stamp_note="Suspended by Acme"
    )
    assert "SUSPENDED" not in _text(plain)
    text = _text(marked)
    assert "SUSPENDED" in text and "Suspended by Acme" in text


def test_a_png_badge_keeps_its_size_and_transparent_corners():
    png = badge_png("Data Analysis", "#1d3f6e", size=256)
    marked = Image.open(io.BytesIO(stamp_png(png, "REVOKED")))
    assert marked.size == (256, 256)
    assert marked.convert("RGBA").getpixel((2, 2))[3] == 0  # top left: outside the band and the badge
    r, g, _, a = marked.convert("RGBA").getpixel((128, 128))
    assert a == 255 and r > 150 and g < 120  # the centre: the red band


def test_an_svg_badge_gets_the_band_and_a_non_svg_is_refused():
    svg = stamp_svg(badge_svg("Data Analysis"), "revoked")
    assert svg.rstrip().endswith("</svg></svg>") and "REVOKED" in svg and 'class="credstack-stamp"' in svg
    with pytest.raises(ValueError, match="closing </svg>"):
        stamp_svg("<svg>", "REVOKED")
