"""Shaping and bidi at the text layer; badges; the package stays free of Django."""

import io
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest
from bidi import get_display

from credstack.render import SAMPLE_NAMES, badge_png, badge_svg
from credstack.render.fonts import FAMILIES, STYLES, WEIGHTS, all_font_files, chain
from credstack.render.text import shape_line


def visual_text(line) -> str:
    """The line's characters in the order its glyphs are drawn (python-bidi's get_display does not
    mirror brackets; HarfBuzz mirrors the glyphs, ToUnicode keeps the characters)."""
    return "".join("".join(r.glyph_text) for r in line.runs)


@pytest.mark.parametrize(
    "text",
    [
        SAMPLE_NAMES["arabic"],
        SAMPLE_NAMES["hebrew"],
        SAMPLE_NAMES["mixed"],
        "شهادة 2025",
        "Course: مقدمة (الجزء 1)",
        "אבג abc דהו",
        "(مرحبا) [world]",
        "قالت: «مرحبا»",
    ],
)
def test_runs_come_out_in_the_visual_order_of_the_unicode_bidi_algorithm(text):
    line = shape_line(text, chain("sans", "regular", "normal"))
    assert visual_text(line) == get_display(text)


def test_bidi_levels_come_from_the_full_algorithm():
    from credstack.render.text import _python_levels, _rust_levels, bidi_levels

    text = "Course: مقدمة (الجزء 1)"
    assert _rust_levels(text) is not None  # python-bidi's dump still parses
    base, levels = bidi_levels(text)
    assert base == 0 and levels[-1] == 1  # N0: the closing bracket pairs with the opening one
    assert _python_levels(text)[1][-1] == 0  # what the Python fallback (no N0) would have done


def test_arabic_is_joined_and_devanagari_forms_conjuncts():
    fonts = chain("sans", "regular", "normal")
    arabic = shape_line("محمد", fonts)
    # four letters in contextual forms: none of the glyphs is the isolated form's glyph
    face = arabic.runs[0].font.face
    isolated = {face.hb_font.get_nominal_glyph(ord(c)) for c in "محد"}
    assert not set(arabic.runs[0].gids) & isolated
    deva = shape_line("क्ष", fonts)  # ka + virama + ssa -> one conjunct glyph
    assert len(deva.runs[0].gids) == 1


def test_each_script_uses_a_face_that_has_it():
    fonts = chain("serif", "bold", "normal")
    expect = {
        "arabic": "NotoNaskhArabic-Bold",
        "hebrew": "NotoSerifHebrew-Bold",
        "chinese": "NotoSansCJKsc",
        "devanagari": "NotoSerifDevanagari-Bold",
        "cyrillic": "NotoSerif-Bold",
        "greek": "NotoSerif-Bold",
    }
    for script, face in expect.items():
        line = shape_line(SAMPLE_NAMES[script], fonts)
        assert {r.font.face.name for r in line.runs} == {face} or face in line.runs[0].font.face.name
        assert all(g != 0 for r in line.runs for g in r.gids), f"missing glyph (.notdef) in {script}"
    cjk = shape_line("王小明", fonts).runs[0].font
    assert cjk.synthetic_bold  # one CJK weight is shipped; bold is synthesised


def test_bundled_fonts_and_license_are_there():
    files = all_font_files()
    assert len(files) >= 19
    assert sum(f.stat().st_size for f in files) < 20 * 1024 * 1024
    assert (files[0].parent / "OFL.txt").read_text().count("SIL OPEN FONT LICENSE") >= 1


@pytest.mark.parametrize("shape", ["circle", "shield", "hexagon"])
def test_badge_svg_is_clean_xml_with_the_name_as_title(shape):
    svg = badge_svg("Foundations of Data Analysis", "#1d3f6e", shape=shape, issuer="Northbridge")
    root = ET.fromstring(svg)  # noqa: S314 - our own output
    ns = "{http://www.w3.org/2000/svg}"
    assert root.tag == ns + "svg" and root.get("viewBox") == "0 0 600 600"
    assert root.find(ns + "title").text == "Foundations of Data Analysis"
    assert len(root.findall(f".//{ns}path")) > 20  # shapes + glyph outlines
    assert "<text" not in svg and "<script" not in svg and "href" not in svg


def test_badge_svg_escapes_and_handles_any_script():
    svg = badge_svg('<b>"Data" & 数据 محمد</b>', "#0f766e")
    title = ET.fromstring(svg).find("{http://www.w3.org/2000/svg}title")  # noqa: S314 (our own output)
    assert title.text == '<b>"Data" & 数据 محمد</b>'


def test_badge_png():
    from PIL import Image

    png = badge_png(
        "Advanced Data Analysis for Public Health Practitioners", "#7c2d12", shape="shield", size=256
    )
    im = Image.open(io.BytesIO(png))
    assert im.format == "PNG" and im.size == (256, 256) and im.mode == "RGBA"
    assert im.getpixel((0, 0))[3] == 0  # transparent corner
    assert im.getpixel((128, 128))[3] == 255


def test_badge_arguments_are_checked():
    with pytest.raises(ValueError, match="brand_colour"):
        badge_svg("x", "red")
    with pytest.raises(ValueError, match="shape"):
        badge_svg("x", "#123456", shape="star")


def test_render_package_imports_no_django():
    code = (
        "import sys, pkgutil, importlib, credstack.render as r\n"
        "for m in pkgutil.walk_packages(r.__path__, 'credstack.render.'): importlib.import_module(m.name)\n"
        "r.render_pdf(r.builtin_design('classic'), r.sample_values('arabic'))\n"
        "bad = sorted(m for m in sys.modules if m == 'django' or m.startswith('django.'))\n"
        "print(bad); sys.exit(1 if bad else 0)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env={"PATH": ""})
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize("weight", WEIGHTS)
@pytest.mark.parametrize("style", STYLES)
def test_every_bundled_family_draws_every_script_the_designer_offers(family, weight, style):
    """The designer's font menu offers every bundled family; each draws every sample script (its own
    face for Latin, Greek and Cyrillic, the matching Noto face for the others), with no missing glyph."""
    fonts = chain(family, weight, style)
    for script, name in SAMPLE_NAMES.items():
        line = shape_line(name, fonts)
        assert line.runs, script
        assert all(g != 0 for r in line.runs for g in r.gids), f"missing glyph (.notdef) in {script}"
