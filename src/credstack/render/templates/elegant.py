"""The elegant certificate: the classic layout in light and gold type on a dark ground, in a gold frame."""

from __future__ import annotations

from ..canvas import Canvas, mix
from . import classic
from .base import BLACK, Element, Page, Template
from .blocks import rect
from .ornaments import corners, frame, rosette, seal


def draw(c: Canvas, color: str, accent: str) -> None:
    W, H = c.width, c.height
    dark = mix(color, BLACK, 0.55)
    c.rect(0, 0, W, H, fill=dark)
    rosette(c, W * 0.5, H * 0.5, min(W, H) * 0.45, accent, n=48, opacity=0.06, width=0.5)
    frame(c, 22, accent, 0.8)
    frame(c, 27, accent, 2.2)
    for x, y, _, _ in corners(c, 27):
        c.circle(x, y, 9, fill=dark, stroke=accent, width=1.0)
        c.circle(x, y, 3.2, fill=accent)
    seal(c, mix(color, BLACK, 0.2), accent, ribbon=mix(accent, BLACK, 0.3))


def elements(p: Page) -> list[Element]:
    """The classic layout in light and gold type for a dark ground; logo and signature on light plates."""
    light, soft = "#fbf6ea", "#d9cfb8"
    els = classic.elements(p)
    recolor = dict.fromkeys(("heading", "achievement"), p.accent)
    recolor |= dict.fromkeys(("name", "issue-date", "issuer", "signatory-name"), light)
    recolor |= dict.fromkeys(
        ("subheading", "intro", "body", "date-label", "issuer-label", "signatory-title", "credential-id"),
        soft,
    )
    # logos and signatures are drawn for light paper: give them light plates
    for el in [e for e in els if e.get("id") in ("logo", "signature")]:
        grow = 4 if el["id"] == "logo" else 2.5
        plate = rect(
            f"{el['id']}-plate", el["x"] - 4, el["y"] - 2, el["width"] + 8, el["height"] + grow, light, 2
        )
        els.insert(els.index(el), plate)
    for el in els:
        if el.get("id") in recolor:
            el["color"] = recolor[el["id"]]
        if el["type"] == "line":
            el["color"] = p.accent
        if el["type"] == "qr":
            el["color"] = "#111111"
            el["background"] = light
    return els


TEMPLATE = Template(
    "elegant", "Elegant: dark ground, gold frame, serif type", "#1b2a4a", "#c9a55a", draw, elements
)
