"""Certificates: every template, every script, text extraction, fitting, backgrounds, PNG, QR."""

import io
import subprocess
import unicodedata

import pytest
from pypdf import PdfReader

from credstack.render import (
    SAMPLE_NAMES,
    TEMPLATES,
    builtin_design,
    draw,
    render_pdf,
    render_png,
    sample_values,
)
from credstack.render.design import MM
from credstack.render.samples import sample_assets
from tests.pdftext import page_text as pdfium_text

SIGNATORY = {"name": "Dr. Helen Okafor", "title": "Director of Studies", "asset": "signature"}
_BIDI_CONTROLS = dict.fromkeys(map(ord, "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"))


def pdftotext(pdf: bytes) -> str:
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True, check=True)
    return out.stdout.decode()


def pypdf_text(pdf: bytes) -> str:
    return PdfReader(io.BytesIO(pdf)).pages[0].extract_text()


def norm(text: str) -> str:
    """Extracted text compared as: NFC, no bidi controls, whitespace collapsed."""
    return " ".join(unicodedata.normalize("NFC", text).translate(_BIDI_CONTROLS).split())


@pytest.fixture(scope="module")
def assets():
    return sample_assets()


@pytest.mark.parametrize("template", sorted(TEMPLATES))
@pytest.mark.parametrize("script", sorted(SAMPLE_NAMES))
def test_every_template_renders_every_script(template, script, assets):
    design = builtin_design(template, logo="logo", signatory=SIGNATORY)
    values = sample_values(script)
    pdf = render_pdf(design, values, assets)
    assert pdf.startswith(b"%PDF-1.7") and pdf.rstrip().endswith(b"%%EOF")
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (842, 595)
    # subset fonts only, nothing outlandish in size
    fonts = reader.pages[0]["/Resources"]["/Font"]
    assert all("+" in str(f.get_object()["/BaseFont"]) for f in fonts.values())
    assert len(pdf) < 150_000
    # the name is on the page, in reading order (PDFium: what Chrome and pypdfium2 use)
    if script != "long":  # the long name wraps over two lines: see test_long_name_*
        assert norm(values["recipient_name"]) in norm(pdfium_text(pdf))
    for needle in ("Foundations of Data Analysis", "7QXK-4M9P-ZT2W"):
        assert needle in norm(pdfium_text(pdf))


@pytest.mark.parametrize("script", ["latin", "cyrillic", "greek", "chinese", "arabic", "hebrew", "mixed"])
def test_name_extracts_in_logical_order_with_pypdf(script):
    values = sample_values(script)
    pdf = render_pdf(builtin_design("modern"), values)
    assert norm(values["recipient_name"]) in norm(pypdf_text(pdf))


@pytest.mark.parametrize("script", ["latin", "cyrillic", "greek", "chinese", "arabic", "devanagari"])
def test_name_extracts_in_logical_order_with_poppler(script):
    # Hebrew with a hyphen is split by poppler's own bidi heuristics; PDFium and pypdf get it right
    values = sample_values(script)
    pdf = render_pdf(builtin_design("classic"), values)
    assert norm(values["recipient_name"]) in norm(pdftotext(pdf))


def test_arabic_ligatures_and_devanagari_conjuncts_extract_correctly():
    for name in ("سلام الله", "لا إله", "क्षत्रिय प्रज्ञा", "स्त्री"):
        pdf = render_pdf(builtin_design("minimal"), sample_values(recipient_name=name))
        assert norm(name) in norm(pdfium_text(pdf)), name


def _name_box(design, values, assets=None):
    drawn = draw(design, values, assets)
    return next(b for b in drawn.boxes if b.id == "name"), drawn.canvas


@pytest.mark.parametrize("template", sorted(TEMPLATES))
@pytest.mark.parametrize("orientation", ["landscape", "portrait"])
def test_long_name_shrinks_and_wraps_inside_the_page(template, orientation):
    design = builtin_design(template, orientation=orientation)
    el = next(e for e in design["elements"] if e.get("id") == "name")
    box, canvas = _name_box(design, sample_values("long"))
    assert box.size < el["size"]
    assert 1 <= box.lines <= el["max_lines"]
    x = el["x"] * MM
    assert x - 0.01 <= box.x0 and box.x1 <= x + el["width"] * MM + 0.01  # inside its box
    assert 0 <= box.x0 and box.x1 <= canvas.width and 0 <= box.y0 and box.y1 <= canvas.height


def test_absurdly_long_name_still_fits():
    name = " ".join(["Wolfeschlegelsteinhausenbergerdorff"] * 12) + "x" * 200
    design = builtin_design("classic")
    box, canvas = _name_box(design, sample_values(recipient_name=name))
    el = next(e for e in design["elements"] if e.get("id") == "name")
    assert box.x1 - box.x0 <= el["width"] * MM + 0.01
    assert 0 <= box.y0 and box.y1 <= canvas.height
    render_pdf(design, sample_values(recipient_name=name))


def test_short_name_keeps_its_size_and_long_one_wraps_to_words():
    design = builtin_design("minimal")
    short, _ = _name_box(design, sample_values("latin"))
    assert short.size == 44 and short.lines == 1
    long, _ = _name_box(design, sample_values("long"))
    assert long.lines == 2
    assert 24 <= long.size < 44  # wrapped at a size from min_size up


def test_cjk_names_wrap_between_characters():
    design = {
        "elements": [
            {
                "type": "text",
                "id": "name",
                "text": "{recipient_name}",
                "x": 10,
                "y": 10,
                "width": 40,
                "size": 30,
                "min_size": 20,
                "max_lines": 3,
            }
        ]
    }
    box, _ = _name_box(design, sample_values(recipient_name="中华人民共和国教育部认证中心"))
    assert box.lines > 1 and box.size >= 20


def test_background_image_and_pdf(assets):
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (300, 212), "#ddeeff").save(buf, "JPEG")
    jpeg = buf.getvalue()
    buf = io.BytesIO()
    Image.new("RGBA", (300, 212), (200, 30, 30, 128)).save(buf, "PNG")
    png = buf.getvalue()
    elements = [
        {
            "type": "text",
            "id": "name",
            "text": "{recipient_name}",
            "x": 20,
            "y": 90,
            "width": "80%",
            "size": 30,
        }
    ]
    for bg, data in (("image", jpeg), ("image", png)):
        pdf = render_pdf({"background": {bg: "bg"}, "elements": elements}, sample_values(), {"bg": data})
        assert b"/Subtype/Image" in pdf.replace(b" ", b"")
        assert "Amélie" in pdfium_text(pdf)
    # a PDF as background: our own classic certificate, stamped with another name
    background = render_pdf(builtin_design("classic"), sample_values(recipient_name="Background Person"))
    pdf = render_pdf({"background": {"pdf": "bg"}, "elements": elements}, sample_values(), {"bg": background})
    text = pdfium_text(pdf)
    assert "Background Person" in text and "Amélie Dubois-Fontaine" in text
    assert len(PdfReader(io.BytesIO(pdf)).pages) == 1


def test_bad_assets_are_refused_clearly():
    from credstack.render import AssetError

    design = {"background": {"image": "bg"}}
    with pytest.raises(AssetError, match="not a PNG or JPEG"):
        render_pdf(design, {}, {"bg": b"GIF89a...."})
    with pytest.raises(AssetError, match="not supplied"):
        render_pdf(design, {}, {})
    with pytest.raises(AssetError, match="PDF"):
        render_pdf({"background": {"pdf": "bg"}}, {}, {"bg": b"%PDF-1.4 garbage"})


def test_optional_image_is_skipped_when_missing():
    design = builtin_design("modern", logo="logo")
    render_pdf(design, sample_values(), {})  # no logo supplied: still renders


def test_render_png_preview(assets):
    from PIL import Image

    png = render_png(builtin_design("classic", logo="logo"), sample_values("arabic"), assets, dpi=72)
    im = Image.open(io.BytesIO(png))
    assert im.format == "PNG" and abs(im.size[0] - 842) <= 1 and abs(im.size[1] - 595) <= 1
    with pytest.raises(ValueError):
        render_png(builtin_design("classic"), sample_values(), dpi=5000)


def test_letter_portrait_page_size():
    pdf = render_pdf(builtin_design("minimal", size="Letter", orientation="portrait"), sample_values())
    box = PdfReader(io.BytesIO(pdf)).pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (612, 792)


def test_qr_code_scans_to_the_credential_url():
    import zxingcpp
    from PIL import Image

    values = sample_values()
    png = render_png(builtin_design("modern"), values, dpi=200)
    found = [r.text for r in zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))]
    assert values["credential_url"] in found


def test_rendering_is_deterministic(assets):
    design = builtin_design("classic", logo="logo", signatory=SIGNATORY)
    a = render_pdf(design, sample_values("chinese"), assets)
    b = render_pdf(design, sample_values("chinese"), assets)
    assert a == b


def test_merge_tags_and_custom_columns():
    design = {
        "elements": [
            {
                "type": "text",
                "id": "t",
                "text": "{recipient_name} scored {score} in {cohort} {{x}}",
                "x": 10,
                "y": 10,
                "width": 250,
                "size": 12,
            }
        ]
    }
    values = sample_values(cohort="Spring 2025", score=94.0)
    pdf = render_pdf(design, values)
    assert "Amélie Dubois-Fontaine scored 94 in Spring 2025 {x}" in norm(pdfium_text(pdf))


@pytest.mark.parametrize(
    "page_mm",
    [
        (297, 210),
        (210, 297),
        (279.4, 215.9),
        (215.9, 279.4),
        (94.1, 100),
        (190.4, 120),
        (384.5, 200),
        (50, 50),
    ],
)
def test_share_images_are_drawn_at_their_size_exactly_whatever_the_page(page_mm):
    """A credential's share images are drawn straight at their pixel size, never drawn smaller and blown up:
    exactly 1200 pixels wide for the page image, inside 1144 x 574 for the link card, for any page size
    (PDFium rounds its sizes up: 94.1, 190.4 and 384.5 mm wide pages would give 1201 pixels)."""
    from credstack.render import rasterize_to_fit
    from credstack.render.canvas import Canvas
    from credstack.render.raster import canvas_pdf

    width, height = page_mm[0] * MM, page_mm[1] * MM
    canvas = Canvas(width, height)
    pdf = canvas_pdf(canvas, [], "size")
    page = rasterize_to_fit(pdf, 1200)
    assert page.width == 1200 and abs(page.height - 1200 * height / width) <= 1
    card = rasterize_to_fit(pdf, 1144, 574)
    assert card.width <= 1144 and card.height <= 574
    assert card.width == 1144 or card.height == 574  # it fills the box one way
