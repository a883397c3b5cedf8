"""Built-in certificate templates: vector backgrounds + a default element layout, parameterised by a
brand colour, an accent colour, a logo and a signatory. `builtin_design()` returns a plain design
dict that an issuer can then edit like any other.

A template is a `Template` in `TEMPLATES`: a background (`draw_*`, drawn at render time from the
template's name and colours) and a layout (`elements_*`, run once by `builtin_design()`; the elements
it returns are stored in the design and may be edited). Layouts are put together from the blocks
below — logo, recipient block, ruled field, signatory, footer columns, QR code — so a new template
mostly says where its blocks go and how its text looks. Adding one: a `draw_*` background, an
`elements_*` layout (see `elements_minimal` for a short one, `elements_elegant` for a variant of
another layout) and its entry in `TEMPLATES`. Element ids are part of the design format (the
designer's overrides refer to them): keep them when changing a layout.

benchmarks/render_compare.py shows, picture by picture, whether a change to this file changes any
certificate; tests/render/test_builtin_templates.py fails when one changes.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from dataclasses import dataclass

from .canvas import KAPPA, Canvas, mix, star_points

WHITE = "#ffffff"
BLACK = "#000000"
Style = dict  # text element properties: size, font, weight, style, color, align, min_size, ...


@dataclass(frozen=True)
class Page:
    """What a layout is laid out for: the page (mm) and the issuer's choices."""

    W: float
    H: float
    color: str
    accent: str
    logo: str | None
    signatory: dict | None
    heading: str
    subheading: str

    @property
    def land(self) -> bool:
        return self.W > self.H

    @property
    def title(self) -> str:
        """Heading and subheading on one line."""
        return f"{self.heading} {self.subheading}".strip()

    def centred(self, w: float) -> float:
        """The x at which an element w wide is centred on the page."""
        return (self.W - w) / 2


@dataclass(frozen=True)
class Template:
    name: str
    title: str
    color: str  # default brand colour
    accent: str  # default accent colour
    draw: Callable[[Canvas, str, str], None]
    elements: Callable[[Page], list[dict]]


# ---- backgrounds ---------------------------------------------------------------------------------


def _rosette(c: Canvas, cx, cy, r, color, n=36, opacity=0.07, width=0.5):
    """A guilloché-like rosette: n ellipses turned about the centre, drawn faintly (one path)."""
    k = KAPPA
    rx, ry = r, r * 0.38
    base = [
        (rx, 0),
        (rx, ry * k),
        (rx * k, ry),
        (0, ry),
        (-rx * k, ry),
        (-rx, ry * k),
        (-rx, 0),
        (-rx, -ry * k),
        (-rx * k, -ry),
        (0, -ry),
        (rx * k, -ry),
        (rx, -ry * k),
        (rx, 0),
    ]
    cmds: list = []
    for i in range(n):
        a = math.pi * i / n
        ca, sa = math.cos(a), math.sin(a)
        p = [(cx + x * ca - y * sa, cy + x * sa + y * ca) for x, y in base]
        cmds.append(("M", *p[0]))
        for j in range(1, 13, 3):
            cmds.append(("C", *p[j], *p[j + 1], *p[j + 2]))
        cmds.append(("Z",))
    c.path(cmds, stroke=color, width=width, opacity=opacity)


def _seal(c: Canvas, color, accent, ribbon=None):
    """A rosette seal with two ribbons, centred low on the page (between the footer's fields)."""
    W, H = c.width, c.height
    cx, cy, r = W / 2, H * (0.79 if W > H else 0.655), min(W, H) * 0.068
    for side in (-1, 1):
        x0 = cx + side * r * 0.35
        pts = [
            (x0 - r * 0.28, cy + r * 0.3),
            (x0 + r * 0.28, cy + r * 0.3),
            (x0 + r * 0.28 + side * r * 0.25, cy + r * 1.55),
            (x0 + side * r * 0.12, cy + r * 1.3),
            (x0 - r * 0.28 + side * r * 0.2, cy + r * 1.55),
        ]
        c.polygon(pts, fill=ribbon or mix(color, BLACK, 0.15))
    c.polygon(star_points(cx, cy, r, r * 0.9, 30), fill=accent)
    c.circle(cx, cy, r * 0.8, fill=color)
    c.circle(cx, cy, r * 0.72, stroke=accent, width=0.8)
    c.circle(cx, cy, r * 0.66, stroke=mix(accent, WHITE, 0.3), width=0.4, dash=[1.2, 1.2])
    c.polygon(star_points(cx, cy, r * 0.3, r * 0.13, 5), fill=accent)


def _frame(c: Canvas, inset: float, color: str, width: float) -> None:
    """A rectangle `inset` from every edge of the page."""
    c.rect(inset, inset, c.width - 2 * inset, c.height - 2 * inset, stroke=color, width=width)


def _corners(c: Canvas, inset: float) -> tuple[tuple[float, float, int, int], ...]:
    """The corners of a frame `inset` from the edges: (x, y, sx, sy), s pointing into the page."""
    W, H, m = c.width, c.height, inset
    return ((m, m, 1, 1), (W - m, m, -1, 1), (m, H - m, 1, -1), (W - m, H - m, -1, -1))


def draw_classic(c: Canvas, color: str, accent: str) -> None:
    W, H = c.width, c.height
    c.rect(0, 0, W, H, fill="#fbf8f1")
    _rosette(c, W / 2, H * 0.47, min(W, H) * 0.36, color, n=40, opacity=0.05, width=0.45)
    _frame(c, 18, color, 3.2)
    _frame(c, 25, accent, 1.1)
    _frame(c, 29, accent, 0.4)
    # corner ornaments: a diamond on the frame corner and two short flourishes
    for x, y, sx, sy in _corners(c, 25):
        d = 7
        c.polygon([(x, y - d), (x + d, y), (x, y + d), (x - d, y)], fill=color)
        c.polygon([(x, y - 3), (x + 3, y), (x, y + 3), (x - 3, y)], fill=accent)
        c.line(x + sx * 12, y + sy * 8, x + sx * 55, y + sy * 8, color=accent, width=0.6)
        c.line(x + sx * 8, y + sy * 12, x + sx * 8, y + sy * 55, color=accent, width=0.6)
        c.circle(x + sx * 58, y + sy * 8, 1.3, fill=accent)
        c.circle(x + sx * 8, y + sy * 58, 1.3, fill=accent)
    _seal(c, color, accent)


def draw_modern(c: Canvas, color: str, accent: str) -> None:
    W, H = c.width, c.height
    c.rect(0, 0, W, H, fill=WHITE)
    if W >= H:
        bw = W * 0.30
        c.rect(0, 0, bw, H, fill=color)
        c.clip_rect(0, 0, bw, H)
        c.circle(bw * 0.05, H * 0.98, bw * 0.75, fill=WHITE, opacity=0.06)
        c.circle(bw * 1.0, H * 0.12, bw * 0.42, fill=WHITE, opacity=0.07)
        c.circle(bw * 0.2, H * 0.25, bw * 0.18, stroke=WHITE, width=1.0, opacity=0.18)
        for i in range(7):
            off = i * 9
            c.line(bw - 70 + off, -5, bw + 30 + off, H * 0.35, color=WHITE, width=0.6, opacity=0.12)
        c.restore()
        c.rect(bw, 0, 7, H, fill=accent)
        # a light pattern of dots in the top right corner
        for i in range(6):
            for j in range(10):
                c.circle(W - 30 - j * 11, 28 + i * 11, 1.3, fill=color, opacity=0.16 if (i + j) % 2 else 0.08)
    else:
        bh = H * 0.24
        c.rect(0, 0, W, bh, fill=color)
        c.clip_rect(0, 0, W, bh)
        c.circle(W * 0.95, bh * 0.1, bh * 0.9, fill=WHITE, opacity=0.06)
        c.circle(W * 0.05, bh * 1.1, bh * 0.6, fill=WHITE, opacity=0.07)
        c.restore()
        c.rect(0, bh, W, 6, fill=accent)
    c.rect(0, H - 6, W, 6, fill=mix(color, WHITE, 0.85))


def draw_minimal(c: Canvas, color: str, accent: str) -> None:
    W, H = c.width, c.height
    c.rect(0, 0, W, H, fill=WHITE)
    c.rect(0, 0, W, 5, fill=color)
    c.line(56, H - 96, W - 56, H - 96, color="#d9dce1", width=0.6)


def draw_elegant(c: Canvas, color: str, accent: str) -> None:
    W, H = c.width, c.height
    dark = mix(color, BLACK, 0.55)
    c.rect(0, 0, W, H, fill=dark)
    _rosette(c, W * 0.5, H * 0.5, min(W, H) * 0.45, accent, n=48, opacity=0.06, width=0.5)
    _frame(c, 22, accent, 0.8)
    _frame(c, 27, accent, 2.2)
    for x, y, _, _ in _corners(c, 27):
        c.circle(x, y, 9, fill=dark, stroke=accent, width=1.0)
        c.circle(x, y, 3.2, fill=accent)
    _seal(c, mix(color, BLACK, 0.2), accent, ribbon=mix(accent, BLACK, 0.3))


# ---- elements (mm) -------------------------------------------------------------------------------


def _element(type_, id_, **props) -> dict:
    return {"type": type_, "id": id_, **props}


def _text(id_, text, x, y, w, **style) -> dict:
    """A text box; style: size, font, weight, style, color, align, letter_spacing, transform, and how
    the text fits the box (min_size, max_lines, height, valign, line_height)."""
    return {"type": "text", "id": id_, "text": text, "x": x, "y": y, "width": w, **style}


def _image(id_, asset, x, y, w, h) -> dict:
    """An image drawn only if its asset is supplied at render time."""
    return _element("image", id_, asset=asset, x=x, y=y, width=w, height=h, optional=True)


def _rect(id_, x, y, w, h, fill, radius=None) -> dict:
    rounded = {} if radius is None else {"radius": radius}
    return _element("rect", id_, x=x, y=y, width=w, height=h, fill=fill, **rounded)


def _rule(id_, x1, x2, y, color, width) -> dict:
    """A horizontal line."""
    return _element("line", id_, x1=x1, y1=y, x2=x2, y2=y, color=color, stroke_width=width)


def _qr(x, y, size, color, background) -> dict:
    return _element("qr", "qr", x=x, y=y, size=size, color=color, background=background)


def _logo(logo, x, y, w, h, card: str | None = None) -> list[dict]:
    """The logo in the box (x, y, w, h), on a rounded card of colour `card` if given; nothing without a
    logo."""
    if not logo:
        return []
    image = _image("logo", logo, x, y, w, h)
    return [_rect("logo-card", x - 4, y - 3, w + 8, h + 6, card, radius=2.5), image] if card else [image]


def _stack(y, x: Callable[[float], float], rows) -> list[dict]:
    """Text boxes one under another: rows of (id, text, y offset from y, width, style), each placed at
    x(width) (a certificate's heading lines; its intro, name, body and achievement)."""
    return [_text(id_, text, x(w), y + dy, w, **style) for id_, text, dy, w, style in rows]


def _ruled_field(id_, value, label, x, y, w, *, font, ink, rule, min_size, value_id=None) -> list[dict]:
    """A value on a line with its caption below it (a certificate's "date" and "issued by" fields)."""
    value_style = {"size": 12, "font": font, "color": ink, "align": "center", "min_size": min_size}
    return [
        _text(value_id or id_, value, x, y - 7, w, **value_style),
        _rule(f"{id_}-line", x, x + w, y, rule, 0.7),
        _text(f"{id_}-label", label, x, y + 1.5, w, size=8.5, font=font, color="#6b6f76", align="center"),
    ]


def _signatory(sig, x, y, w, *, font, ink, rule) -> list[dict]:
    """Signature image above a line, name and title below it."""
    els = [_image("signature", sig["asset"], x + w * 0.1, y - 17, w * 0.8, 16)] if sig.get("asset") else []
    els.append(_rule("signature-line", x, x + w, y, rule, 0.7))
    name = {"size": 10.5, "font": font, "weight": "bold", "color": ink, "align": "center", "min_size": 7}
    els.append(_text("signatory-name", sig.get("name", ""), x, y + 1.5, w, **name))
    if sig.get("title"):
        title = {"size": 8.5, "font": font, "color": "#6b6f76", "align": "center", "min_size": 6}
        els.append(_text("signatory-title", sig["title"], x, y + 6.5, w, **title))
    return els


def _columns(cols, x, cw, gap, label_y, label: Style, value_y, value: Style) -> list[dict]:
    """Footer fields side by side, cw apart: cols are (id prefix, caption, value), the caption above."""
    els = []
    for i, (id_, caption, text) in enumerate(cols):
        els.append(_text(f"{id_}-label", caption, x + i * cw, label_y, cw - gap, **label))
        els.append(_text(f"{id_}-value", text, x + i * cw, value_y, cw - gap, **value))
    return els


# ---- layouts -------------------------------------------------------------------------------------


def elements_classic(p: Page) -> list[dict]:
    """Centred serif type: logo, heading over subheading, the recipient block, date and signatory (or
    issuer) fields either side of the seal, QR code and credential id at the foot."""
    ink, W, H, land = "#1f2430", p.W, p.H, p.land
    centred = {"font": "serif", "align": "center"}
    y = 0.105 * H if land else 0.09 * H
    els = _logo(p.logo, p.centred(50), y - 4, 50, 15)
    y += 15 if p.logo else 0
    caps = {"transform": "uppercase", **centred}
    heading = {"size": 34 if land else 30, "weight": "bold", "letter_spacing": 0.12, "min_size": 18}
    subheading = {"size": 11.5, "letter_spacing": 0.35, "min_size": 8}
    els += _stack(
        y,
        p.centred,
        [
            ("heading", p.heading, 2, W * 0.7, {"color": p.color, **heading, **caps}),
            ("subheading", p.subheading, 17, W * 0.6, {"color": p.accent, **subheading, **caps}),
        ],
    )
    line = {"size": 13, "style": "italic", "color": "#4a4f59", **centred}
    fitted = {"weight": "bold", "max_lines": 2, **centred}
    name = {
        "size": 40 if land else 34,
        "height": 20,
        "color": ink,
        "min_size": 22,
        "line_height": 1.1,
        **fitted,
    }
    achievement = {"size": 21, "height": 12, "color": p.color, "min_size": 12, **fitted}
    y = 0.36 * H if land else 0.37 * H
    rows = _stack(
        y,
        p.centred,
        [
            ("intro", "This is to certify that", 0, W * 0.6, line),
            ("name", "{recipient_name}", 9, W * 0.72, name),
            ("body", "has successfully completed", 36, W * 0.6, line),
            ("achievement", "{achievement_name}", 44, W * 0.7, achievement),
        ],
    )
    els += [*rows[:2], _rule("name-rule", W * 0.26, W * 0.74, y + 31, p.accent, 0.8), *rows[2:]]
    # the footer: date of issue left of the seal, signatory (or issuer) right of it
    fy = H * (0.815 if land else 0.855)
    bw = 62 if land else 54
    lx, rx = W * 0.27 - bw / 2, W * 0.73 - bw / 2
    field = {"font": "serif", "ink": ink, "rule": "#8c8f96"}
    els += _ruled_field(
        "date", "{issue_date}", "Date of issue", lx, fy, bw, min_size=8, value_id="issue-date", **field
    )
    if p.signatory:
        els += _signatory(p.signatory, rx, fy, bw, font="serif", ink=ink, rule="#8c8f96")
    else:
        els += _ruled_field("issuer", "{issuer_name}", "Issued by", rx, fy, bw, min_size=7, **field)
    # the QR code: in landscape right of the signatory, in portrait under the seal
    qs = 20 if land else 18
    els.append(_qr(W - 10.2 - 6 - qs if land else (W - qs) / 2, fy - qs + 3, qs, ink, "#fbf8f1"))
    small, cw = {"size": 7.5, "font": "sans", "color": "#7b7f87", "align": "center", "min_size": 5}, W * 0.5
    els.append(
        _text("credential-id", "Credential ID {credential_id}", p.centred(cw), H - 10.2 - 9, cw, **small)
    )
    return els


def elements_modern(p: Page) -> list[dict]:
    """Left-aligned sans type beside a coloured band (top band in portrait) that holds the logo on a
    white card, the issuer's name and the QR code; dates and credential id in columns at the foot."""
    ink, grey, W, H = "#171a21", "#5f6470", p.W, p.H
    sans = {"font": "sans"}
    issuer = {"font": "sans", "weight": "bold", "color": WHITE, "min_size": 8}
    verify = {"font": "sans", "letter_spacing": 0.08, "transform": "uppercase"}
    if p.land:  # the band on the left holds logo, issuer and QR code
        bw = W * 0.30
        els = _logo(p.logo, 18, 19, bw - 36, 20, card=WHITE)
        two_lines = {"max_lines": 2, "height": 12, "valign": "top"}
        els.append(_text("issuer", "{issuer_name}", 14, 48, bw - 28, size=12, **two_lines, **issuer))
        qs = 30
        els.append(_qr(14, H - 16 - qs - 8, qs, ink, WHITE))
        verify |= {"size": 8, "color": WHITE, "opacity": 0.85}
        els.append(_text("verify", "Scan to verify", 14, H - 20, bw - 28, **verify))
        x, tw, y = bw + 24, W - (bw + 24) - 24, H * 0.24
    else:  # the band on top holds logo and issuer; the QR code goes bottom right
        bh = H * 0.24
        els = _logo(p.logo, 22, 21, 52, 20, card=WHITE)
        els.append(_text("issuer", "{issuer_name}", 18, bh - 18, W - 36, size=13, **issuer))
        qs = 28
        els.append(_qr(W - 18 - qs, H - 22 - qs, qs, ink, WHITE))
        verify |= {"size": 7.5, "color": grey, "align": "center"}
        els.append(_text("verify", "Scan to verify", W - 18 - qs - 10, H - 21, qs + 10, **verify))
        x, tw, y = 18, W - 36, bh + 28
    caps = {"size": 11, "weight": "bold", "letter_spacing": 0.22, "transform": "uppercase", "min_size": 7}
    els.append(_text("heading", p.title, x, y, tw, color=p.color, **caps, **sans))
    els.append(_rect("heading-bar", x, y + 8, 14, 1.3, p.accent))
    line = {"size": 12, "color": grey, **sans}
    fitted = {"weight": "bold", "max_lines": 2, **sans}
    name = {"size": 38, "height": 18, "color": ink, "min_size": 22, "line_height": 1.1, **fitted}
    achievement = {"size": 20, "height": 11, "color": p.color, "min_size": 12, "valign": "top", **fitted}
    els += _stack(
        y,
        lambda w: x,
        [
            ("intro", "Awarded to", 20, tw, line),
            ("name", "{recipient_name}", 27, tw, name),
            ("body", "for successfully completing", 50, tw, line),
            ("achievement", "{achievement_name}", 57, tw, achievement),
        ],
    )
    fy = H - 42 if p.land else H - 62
    cols = [
        ("issued", "Issued", "{issue_date}"),
        ("valid-until", "Valid until", "{expiry_date}"),
        ("credential-id", "Credential ID", "{credential_id}"),
    ]
    label = {
        "size": 7.5,
        "weight": "bold",
        "color": "#8a8f99",
        "letter_spacing": 0.14,
        "transform": "uppercase",
    }
    value = {"size": 11, "color": ink, "min_size": 6}
    els += _columns(cols, x, tw / 3, 4, fy, {**label, **sans}, fy + 5, {**value, **sans})
    els.append(_rule("footer-rule", x, x + tw, fy - 6, "#e3e5e9", 0.8))
    if p.signatory:
        sw = 58
        els += _signatory(p.signatory, x + tw - sw, fy - 16, sw, font="sans", ink=ink, rule="#b9bdc5")
    return els


def elements_minimal(p: Page) -> list[dict]:
    """White space and one colour: logo top left, a small heading top right, a large left-aligned
    name, issuer / date / credential id in columns at the foot and a small QR code."""
    ink, grey, W, H, mx = "#111318", "#6d717a", p.W, p.H, 20
    sans = {"font": "sans"}
    els = _logo(p.logo, mx, 18, 48, 16)
    caps = {"size": 9, "color": grey, "align": "right", "letter_spacing": 0.25, "transform": "uppercase"}
    els.append(_text("heading", p.title, W - mx - 120, 21, 120, min_size=6, **caps, **sans))
    y = H * (0.36 if p.land else 0.34)
    els.append(_rect("mark", mx, y - 12, 10, 2.2, p.color))
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
    els += _stack(
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
    els += _columns(cols, mx, (W - 2 * mx - qs - 10) / 3, 5, fy - 3, label, fy + 2.5, value)
    if p.signatory:
        els += _signatory(
            p.signatory, W - mx - qs - 10 - 55, fy - 20, 50, font="sans", ink=ink, rule="#c8ccd2"
        )
    els.append(_qr(W - mx - qs, fy - 6, qs, ink, None))
    return els


def elements_elegant(p: Page) -> list[dict]:
    """The classic layout in light and gold type for a dark ground; logo and signature on light plates."""
    light, soft = "#fbf6ea", "#d9cfb8"
    els = elements_classic(p)
    recolor = dict.fromkeys(("heading", "achievement"), p.accent)
    recolor |= dict.fromkeys(("name", "issue-date", "issuer", "signatory-name"), light)
    recolor |= dict.fromkeys(
        ("subheading", "intro", "body", "date-label", "issuer-label", "signatory-title", "credential-id"),
        soft,
    )
    # logos and signatures are drawn for light paper: give them light plates
    for el in [e for e in els if e.get("id") in ("logo", "signature")]:
        grow = 4 if el["id"] == "logo" else 2.5
        plate = _rect(
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


TEMPLATES: dict[str, Template] = {
    t.name: t
    for t in (
        Template(
            "classic",
            "Classic: double frame, seal-like rosette, serif type",
            "#1d3f6e",
            "#b08d3c",
            draw_classic,
            elements_classic,
        ),
        Template(
            "modern",
            "Modern: coloured side band, sans-serif type",
            "#3a3fb8",
            "#f2a33a",
            draw_modern,
            elements_modern,
        ),
        Template(
            "minimal",
            "Minimal: white space, one accent, sans-serif type",
            "#0f766e",
            "#0f766e",
            draw_minimal,
            elements_minimal,
        ),
        Template(
            "elegant",
            "Elegant: dark ground, gold frame, serif type",
            "#1b2a4a",
            "#c9a55a",
            draw_elegant,
            elements_elegant,
        ),
    )
}

_bg_cache: dict[tuple, tuple[list, dict]] = {}
_bg_lock = threading.Lock()


def draw_background(c: Canvas, name: str, color: str | None, accent: str | None) -> None:
    """Draw a template's background (its operators are built once per template/colours/page size)."""
    t = TEMPLATES[name]
    color, accent = color or t.color, accent or t.accent
    key = (name, color, accent, round(c.width, 2), round(c.height, 2))
    got = _bg_cache.get(key)
    if got is None:
        tmp = Canvas(c.width, c.height)
        t.draw(tmp, color, accent)
        got = (list(tmp.ops), dict(tmp.gstates))
        with _bg_lock:
            if len(_bg_cache) > 256:
                _bg_cache.clear()
            _bg_cache[key] = got
    ops, gstates = got
    if c.gstates or c.ops:  # not the first thing drawn: draw afresh (graphics state names are per page)
        t.draw(c, color, accent)
        return
    c.gstates.update(gstates)
    c.ops.extend(ops)


def builtin_design(
    template: str = "classic",
    *,
    color: str | None = None,
    accent: str | None = None,
    size: str = "A4",
    orientation: str = "landscape",
    logo: str | None = None,
    signatory: dict | None = None,
    heading: str = "Certificate",
    subheading: str = "of Completion",
) -> dict:
    """A complete, editable design from a built-in template.

    logo: the asset name of the logo image (drawn if supplied at render time).
    signatory: {"name": ..., "title": ..., "asset": <signature image asset name>} (all optional)."""
    from .design import page_size_mm

    t = TEMPLATES[template]
    color, accent = color or t.color, accent or t.accent
    page = {"size": size, "orientation": orientation}
    W, H = page_size_mm({"page": page})  # type: ignore[typeddict-item]
    return {
        "version": 1,
        "page": page,
        "background": {"template": template, "color": color, "accent": accent},
        "elements": t.elements(Page(W, H, color, accent, logo, signatory, heading, subheading)),
    }
