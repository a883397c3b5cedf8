"""A state band across a certificate or a badge: a revoked or suspended credential's files say so.

A diagonal band (bottom left to top right) in a strong colour with the state in large white capitals
("REVOKED", "SUSPENDED") and, on certificates, a short note below it. The band is drawn over the finished
drawing, so it works the same on every design, an uploaded PNG or SVG badge included.
"""

from __future__ import annotations

import io
import math
import re
from xml.sax.saxutils import escape

from .canvas import Canvas
from .fonts import chain
from .pdf import num
from .raster import canvas_pdf, rasterize
from .text import fit

# the band's colour per label (anything else: the revoked red)
COLOURS = {"REVOKED": "#b3261e", "SUSPENDED": "#8a4b00"}
RED = COLOURS["REVOKED"]


def colour(label: str) -> str:
    return COLOURS.get(label.upper(), RED)


def draw_stamp(c: Canvas, label: str, note: str = "", state: str | None = None) -> None:
    """Draw the band over everything already on ``c``. ``label`` is the word it shows (in any language);
    ``state`` ("REVOKED", "SUSPENDED") picks its colour, the label's own when not given."""
    w, h = c.width, c.height
    angle = math.atan2(h, w)
    cos, sin = math.cos(angle), math.sin(angle)
    cx, cy = w / 2, h / 2
    diag = math.hypot(w, h)
    band = min(w, h) * (0.22 if note else 0.17)
    # rotate counter-clockwise about the page's centre (PDF coordinates: y up)
    e, f = cx - cos * cx + sin * cy, cy - sin * cx - cos * cy
    c.raw(
        f"q {num(round(cos, 6))} {num(round(sin, 6))} {num(round(-sin, 6))} {num(round(cos, 6))} "
        f"{num(round(e, 3))} {num(round(f, 3))} cm"
    )
    top = cy - band / 2
    c.rect(cx - diag / 2, top, diag, band, fill=colour(state or label), opacity=0.88)
    c.rect(
        cx - diag / 2, top + band * 0.06, diag, band * 0.88, stroke="#ffffff", width=max(band * 0.015, 0.6)
    )
    bold = chain("sans", "bold", "normal")
    asc = bold[0].face.metrics["ascent"] / 1000.0
    desc = -bold[0].face.metrics["descent"] / 1000.0
    # the label fills the band, or its upper two thirds when a note goes below it
    area = band * (0.62 if note else 0.9)
    block = fit(label.upper(), bold, size=area * 0.72, min_size=4, width=diag * 0.7, max_lines=1)
    area_top = top + (band * 0.1 if note else (band - area) / 2)
    baseline = area_top + (area - (asc + desc) * block.size) / 2 + asc * block.size
    c.text_line(block.lines[0], block.size, cx - block.widths[0] / 2, baseline, "#ffffff")
    if note:
        regular = chain("sans", "regular", "normal")
        nb = fit(note, regular, size=band * 0.12, min_size=4, width=diag * 0.6, max_lines=1)
        c.text_line(nb.lines[0], nb.size, cx - nb.widths[0] / 2, top + band * 0.84, "#ffffff")
    c.restore()


def stamp_png(png: bytes, label: str, state: str | None = None) -> bytes:
    """The PNG with the band drawn across it (same size; transparency kept)."""
    from PIL import Image  # a native library: loaded only when pixels are asked for

    opened = Image.open(io.BytesIO(png))
    opened.load()
    base = opened.convert("RGBA")
    width, height = base.size
    c = Canvas(float(width), float(height))
    draw_stamp(c, label, state=state)
    band = rasterize(canvas_pdf(c, [], label), 1.0, may_draw_forms=False, fill_color=(0, 0, 0, 0))
    band = band.convert("RGBA").resize(base.size)
    out = io.BytesIO()
    Image.alpha_composite(base, band).save(out, "PNG", optimize=True)
    return out.getvalue()


_SVG_END = re.compile(r"</svg\s*>\s*\Z", re.IGNORECASE)


def stamp_svg(svg: str, label: str, state: str | None = None) -> str:
    """The SVG with the band drawn across it: a nested drawing over the whole picture, before the root's
    closing tag."""
    text = escape(label.upper())
    band = (
        '<svg x="0" y="0" width="100%" height="100%" viewBox="0 0 100 100" class="credstack-stamp" '
        f'role="img" aria-label="{text}"><g transform="rotate(-45 50 50)">'
        f'<rect x="-30" y="41" width="160" height="18" fill="{colour(state or label)}" fill-opacity="0.88"/>'
        '<rect x="-30" y="42.2" width="160" height="15.6" fill="none" stroke="#ffffff" stroke-width="0.35"/>'
        '<text x="50" y="54" text-anchor="middle" font-family="Noto Sans, DejaVu Sans, Arial, sans-serif" '
        f'font-weight="700" font-size="10" letter-spacing="1.2" fill="#ffffff">{text}</text></g></svg>'
    )
    stripped = svg.rstrip()
    match = _SVG_END.search(stripped)
    if match is None:
        raise ValueError("not an SVG document: no closing </svg> tag at its end")
    return stripped[: match.start()] + band + stripped[match.start() :]
