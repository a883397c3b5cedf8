"""The blocks a layout is put together from (mm): text, image, rectangle, rule and QR elements, and
the logo, recipient block, ruled field, signatory and footer columns built from them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .base import Element, Style

Row = tuple[str, str, float, float, Style]  # (id, text, y offset, width, style)
Column = tuple[str, str, str]  # (id prefix, caption, value)


def element(type_: str, id_: str, **props: Any) -> Element:
    return {"type": type_, "id": id_, **props}


def text(id_: str, text: str, x: float, y: float, w: float, **style: Any) -> Element:
    """A text box; style: size, font, weight, style, color, align, letter_spacing, transform, and how
    the text fits the box (min_size, max_lines, height, valign, line_height)."""
    return {"type": "text", "id": id_, "text": text, "x": x, "y": y, "width": w, **style}


def image(id_: str, asset: str, x: float, y: float, w: float, h: float) -> Element:
    """An image drawn only if its asset is supplied at render time."""
    return element("image", id_, asset=asset, x=x, y=y, width=w, height=h, optional=True)


def rect(
    id_: str, x: float, y: float, w: float, h: float, fill: str | None, radius: float | None = None
) -> Element:
    rounded: dict[str, float] = {} if radius is None else {"radius": radius}
    return element("rect", id_, x=x, y=y, width=w, height=h, fill=fill, **rounded)


def hline(id_: str, x1: float, x2: float, y: float, color: str, width: float) -> Element:
    """A horizontal line."""
    return element("line", id_, x1=x1, y1=y, x2=x2, y2=y, color=color, stroke_width=width)


def qr(x: float, y: float, size: float, color: str, background: str | None) -> Element:
    return element("qr", "qr", x=x, y=y, size=size, color=color, background=background)


def logo(logo: str | None, x: float, y: float, w: float, h: float, card: str | None = None) -> list[Element]:
    """The logo in the box (x, y, w, h), on a rounded card of colour `card` if given; nothing without a
    logo."""
    if not logo:
        return []
    picture = image("logo", logo, x, y, w, h)
    return [rect("logo-card", x - 4, y - 3, w + 8, h + 6, card, radius=2.5), picture] if card else [picture]


def stack(y: float, x: Callable[[float], float], rows: list[Row]) -> list[Element]:
    """Text boxes one under another: rows of (id, text, y offset from y, width, style), each placed at
    x(width) (a certificate's heading lines; its intro, name, body and achievement)."""
    return [text(id_, words, x(w), y + dy, w, **style) for id_, words, dy, w, style in rows]


def ruled_field(
    id_: str,
    value: str,
    label: str,
    x: float,
    y: float,
    w: float,
    *,
    font: str,
    ink: str,
    rule: str,
    min_size: float,
    value_id: str | None = None,
) -> list[Element]:
    """A value on a line with its caption below it (a certificate's "date" and "issued by" fields)."""
    value_style: Style = {"size": 12, "font": font, "color": ink, "align": "center", "min_size": min_size}
    return [
        text(value_id or id_, value, x, y - 7, w, **value_style),
        hline(f"{id_}-line", x, x + w, y, rule, 0.7),
        text(f"{id_}-label", label, x, y + 1.5, w, size=8.5, font=font, color="#6b6f76", align="center"),
    ]


def signatory(
    sig: dict[str, Any], x: float, y: float, w: float, *, font: str, ink: str, rule: str
) -> list[Element]:
    """Signature image above a line, name and title below it."""
    els = [image("signature", sig["asset"], x + w * 0.1, y - 17, w * 0.8, 16)] if sig.get("asset") else []
    els.append(hline("signature-line", x, x + w, y, rule, 0.7))
    name: Style = {
        "size": 10.5,
        "font": font,
        "weight": "bold",
        "color": ink,
        "align": "center",
        "min_size": 7,
    }
    els.append(text("signatory-name", sig.get("name", ""), x, y + 1.5, w, **name))
    if sig.get("title"):
        title: Style = {"size": 8.5, "font": font, "color": "#6b6f76", "align": "center", "min_size": 6}
        els.append(text("signatory-title", sig["title"], x, y + 6.5, w, **title))
    return els


def columns(
    cols: list[Column],
    x: float,
    cw: float,
    gap: float,
    label_y: float,
    label: Style,
    value_y: float,
    value: Style,
) -> list[Element]:
    """Footer fields side by side, cw apart: cols are (id prefix, caption, value), the caption above."""
    els: list[Element] = []
    for i, (id_, caption, words) in enumerate(cols):
        els.append(text(f"{id_}-label", caption, x + i * cw, label_y, cw - gap, **label))
        els.append(text(f"{id_}-value", words, x + i * cw, value_y, cw - gap, **value))
    return els
