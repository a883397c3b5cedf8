"""The minimal certificate: white space, one colour, a large left-aligned name."""

from __future__ import annotations

from ..canvas import Canvas
from .base import WHITE, Element, Page, Template
from .blocks import columns, logo, qr, rect, signatory, stack, text


def draw(c: Canvas, color: str, accent: str) -> None:
    W, H = c.width, c.height
    c.rect(0, 0, W, H, fill=WHITE)
    c.rect(0, 0, W, 5, fill=color)
    c.line(56, H - 96, W - 56, H - 96, color="#d9dce1", width=0.6)


def elements(p: Page) -> list[Element]:
    """White space and one colour: logo top left, a small heading top right, a large left-aligned
    name, issuer / date / credential id in columns at the foot and a small QR code."""
    ink, grey, W, H, mx = "#111318", "#6d717a", p.W, p.H, 20
    sans = {"font": "sans"}
    els = logo(p.logo, mx, 18, 48, 16)
    caps = {"size": 9, "color": grey, "align": "right", "letter_spacing": 0.25, "transform": "uppercase"}
    els.append(text("heading", p.title, W - mx - 120, 21, 120, min_size=6, **caps, **sans))
    y = H * (0.36 if p.land else 0.34)
    els.append(rect("mark", mx, y - 12, 10, 2.2, p.color))
    line = {"size": 12, "color": grey, **sans}
    fitted = {"max_lines": 2, **sans}
    name = {
        "size": 44 if p.land else 36,
        "height": 20,
        "color": ink,
        "min_size": 24,
        "line_height": 1.05,
        **fitted,
    }
    achievement = {"size": 20, "height": 11, "color": p.color, "min_size": 12, "valign": "top", **fitted}
    els += stack(
        y,
        lambda w: mx,
        [
            ("intro", "This certifies that", -6, W - 2 * mx, line),
            ("name", "{recipient_name}", 2, W - 2 * mx, name),
            ("body", "has completed", 27, W - 2 * mx, line),
            ("achievement", "{achievement_name}", 34, W - 2 * mx - 40, achievement),
        ],
    )
    fy, qs = H - 28, 18
    cols = [
        ("footer-0", "Issued by", "{issuer_name}"),
        ("footer-1", "Date", "{issue_date}"),
        ("footer-2", "Credential", "{credential_id}"),
    ]
    label, value = {"size": 8, "color": grey, **sans}, {"size": 10, "color": ink, "min_size": 6, **sans}
    els += columns(cols, mx, (W - 2 * mx - qs - 10) / 3, 5, fy - 3, label, fy + 2.5, value)
    if p.signatory:
        els += signatory(
            p.signatory, W - mx - qs - 10 - 55, fy - 20, 50, font="sans", ink=ink, rule="#c8ccd2"
        )
    els.append(qr(W - mx - qs, fy - 6, qs, ink, None))
    return els


TEMPLATE = Template(
    "minimal", "Minimal: white space, one accent, sans-serif type", "#0f766e", "#0f766e", draw, elements
)
