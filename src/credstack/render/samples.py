"""Sample merge values for previews and tests: a very long name and names in many scripts."""

from __future__ import annotations

import datetime as _dt
import io
from typing import Any

from .canvas import Canvas
from .fonts import chain
from .raster import canvas_pdf, rasterize
from .text import shape_line

SAMPLE_NAMES = {
    "latin": "Amélie Dubois-Fontaine",
    "long": "Maximiliana Alexandrovna Wolfeschlegelsteinhausen-Bergerdorff von Hohenzollern-Sigmaringen",
    "cyrillic": "Анастасия Владимировна Кузнецова",
    "greek": "Αικατερίνη Παπαδοπούλου",
    "arabic": "محمد عبد الرحمن الفارسي",
    "hebrew": "אביגיל בן-דוד",
    "chinese": "王小明",
    "devanagari": "अर्जुन श्रीवास्तव",
    "mixed": "Dr. محمد Chen 陈",
}


def sample_values(script: str = "latin", **overrides: Any) -> dict[str, Any]:
    """Values for every standard merge tag, with the recipient's name in the given script
    (one of SAMPLE_NAMES)."""
    values = {
        "recipient_name": SAMPLE_NAMES[script],
        "achievement_name": "Foundations of Data Analysis",
        "issuer_name": "Northbridge Institute of Technology",
        "issue_date": _dt.date(2025, 3, 14),
        "expiry_date": _dt.date(2028, 3, 14),
        "credential_id": "7QXK-4M9P-ZT2W",
        "credential_url": "https://credentials.example.org/c/7QXK4M9PZT2W",
        "score": "94%",
    }
    values.update(overrides)
    return values


_assets: dict[str, bytes] = {}


def sample_assets() -> dict[str, bytes]:
    """A made-up logo and a handwritten-looking signature (PNG, transparent) for previews."""
    if not _assets:
        _assets["logo"] = _logo_png()
        _assets["signature"] = _signature_png()
    return dict(_assets)


def _raster(c: Canvas, scale: float) -> bytes:
    im = rasterize(canvas_pdf(c, [], "sample"), scale, fill_color=(0, 0, 0, 0))
    buf = io.BytesIO()
    im.save(buf, "PNG", optimize=True)
    return buf.getvalue()


def _logo_png() -> bytes:
    c = Canvas(300, 90)
    c.rect(4, 13, 64, 64, fill="#1d3f6e", radius=12)
    c.polygon(
        [(20, 63), (20, 27), (30, 27), (50, 52), (50, 27), (58, 27), (58, 63), (48, 63), (28, 38), (28, 63)],
        fill="#ffffff",
    )
    c.polygon([(52, 13), (68, 13), (68, 29)], fill="#d4a83c")
    bold, reg = chain("sans", "bold", "normal"), chain("sans", "regular", "normal")
    c.text_line(shape_line("NORTHBRIDGE", bold, 0.06), 27, 80, 48, "#1d3f6e")
    c.text_line(shape_line("INSTITUTE OF TECHNOLOGY", reg, 0.16), 10.5, 81, 68, "#5b6270")
    return _raster(c, 2.0)


def _signature_png() -> bytes:
    c = Canvas(240, 80)
    ink = "#1b2a57"
    c.path(
        [
            ("M", 12, 58),
            ("C", 20, 20, 34, 8, 40, 22),
            ("C", 46, 36, 30, 62, 26, 66),
            ("C", 40, 40, 56, 28, 60, 44),
            ("C", 62, 54, 54, 60, 66, 52),
            ("C", 78, 42, 80, 36, 88, 48),
            ("C", 94, 58, 100, 40, 108, 42),
            ("C", 116, 44, 110, 58, 122, 50),
            ("C", 134, 40, 140, 20, 146, 30),
            ("C", 150, 40, 140, 62, 150, 56),
            ("C", 162, 48, 170, 40, 182, 46),
            ("C", 196, 52, 212, 44, 228, 36),
        ],
        stroke=ink,
        width=2.2,
        cap=1,
    )
    c.path([("M", 60, 64), ("C", 110, 58, 170, 60, 214, 56)], stroke=ink, width=1.3, cap=1)
    return _raster(c, 2.0)
