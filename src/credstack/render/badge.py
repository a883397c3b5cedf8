"""Badge images: a clean SVG (text drawn as outlines, so it looks the same everywhere and needs no
fonts) and the same drawing as PNG (through a one-page PDF rasterised by PDFium)."""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from xml.sax.saxutils import escape

from .canvas import KAPPA, Canvas, Color, PathCmd, mix, parse_color, star_points
from .design import HEX_COLOR
from .fonts import Face, chain
from .pdf import num
from .raster import canvas_pdf, rasterize
from .text import Line, fit

SHAPES = ("circle", "shield", "hexagon")
S = 600.0  # drawing units (pt in the PDF, px in the SVG viewBox)
Point = tuple[float, float]


@dataclass
class _Shape:
    cmds: list[Any]
    fill: str | tuple[Any, ...] | None = None
    stroke: str | tuple[Any, ...] | None = None
    width: float = 1.0
    opacity: float | None = None


@dataclass
class _Text:
    line: Line
    size: float
    x: float
    baseline: float
    color: str


def _circle(cx: float, cy: float, r: float) -> list[PathCmd]:
    k = r * KAPPA
    return [
        ("M", cx + r, cy),
        ("C", cx + r, cy + k, cx + k, cy + r, cx, cy + r),
        ("C", cx - k, cy + r, cx - r, cy + k, cx - r, cy),
        ("C", cx - r, cy - k, cx - k, cy - r, cx, cy - r),
        ("C", cx + k, cy - r, cx + r, cy - k, cx + r, cy),
        ("Z",),
    ]


def _poly(pts: list[tuple[float, float]]) -> list[PathCmd]:
    return [("M", *pts[0]), *[("L", *p) for p in pts[1:]], ("Z",)]


def _shield(cx: float, top: float, w: float, h: float) -> list[PathCmd]:
    x0, x1 = cx - w / 2, cx + w / 2
    sh = h * 0.58
    return [
        ("M", cx, top),
        ("C", cx + w * 0.2, top + h * 0.06, x1 - w * 0.08, top + h * 0.05, x1, top + h * 0.04),
        ("L", x1, top + sh),
        ("C", x1, top + h * 0.82, cx + w * 0.22, top + h * 0.93, cx, top + h),
        ("C", cx - w * 0.22, top + h * 0.93, x0, top + h * 0.82, x0, top + sh),
        ("L", x0, top + h * 0.04),
        ("C", x0 + w * 0.08, top + h * 0.05, cx - w * 0.2, top + h * 0.06, cx, top),
        ("Z",),
    ]


def _hexagon(cx: float, cy: float, r: float) -> list[PathCmd]:
    return _poly(
        [
            (
                cx + r * math.cos(math.pi / 6 + i * math.pi / 3),
                cy + r * math.sin(math.pi / 6 + i * math.pi / 3),
            )
            for i in range(6)
        ]
    )


def _items(name: str, color: str, accent: str, shape: str, issuer: str | None) -> list[Any]:
    dark = mix(color, "#000000", 0.35)
    light = mix(color, "#ffffff", 0.25)
    items: list[Any] = []
    cx, cy = S / 2, S / 2
    if shape == "circle":
        items.append(_Shape(_poly(star_points(cx, cy, 292, 272, 48)), fill=accent))
        items.append(_Shape(_circle(cx, cy, 262), fill=color))
        items.append(_Shape(_circle(cx, cy, 246), stroke="#ffffff", width=3, opacity=0.55))
        items.append(_Shape(_circle(cx, cy, 236), stroke="#ffffff", width=1.2, opacity=0.35))
        band_y, band_h, text_w = cy - 62, 124, 400
    elif shape == "shield":
        items.append(_Shape(_shield(cx, 18, 500, 564), fill=accent))
        items.append(_Shape(_shield(cx, 36, 462, 522), fill=color))
        items.append(_Shape(_shield(cx, 54, 424, 480), stroke="#ffffff", width=2.5, opacity=0.5))
        band_y, band_h, text_w = cy - 72, 124, 380
    else:
        items.append(_Shape(_hexagon(cx, cy, 292), fill=accent))
        items.append(_Shape(_hexagon(cx, cy, 266), fill=color))
        items.append(_Shape(_hexagon(cx, cy, 246), stroke="#ffffff", width=2.5, opacity=0.5))
        band_y, band_h, text_w = cy - 62, 124, 390
    # ribbon band across the middle, with folded ends
    bx0, bx1 = cx - 250, cx + 250
    for side in (-1, 1):
        ex = bx0 if side < 0 else bx1
        tail = [
            (ex, band_y + 22),
            (ex + side * 44, band_y + 22),
            (ex + side * 26, band_y + band_h / 2 + 22),
            (ex + side * 44, band_y + band_h + 22),
            (ex, band_y + band_h + 22),
        ]
        items.append(_Shape(_poly(tail), fill=dark))
        items.append(
            _Shape(
                _poly([(ex, band_y + band_h), (ex - side * 22, band_y + band_h), (ex, band_y + band_h + 22)]),
                fill=mix(color, "#000000", 0.55),
            )
        )
    items.append(
        _Shape(
            _poly([(bx0, band_y), (bx1, band_y), (bx1, band_y + band_h), (bx0, band_y + band_h)]), fill=light
        )
    )
    items.append(
        _Shape(_poly([(bx0, band_y + 8), (bx1, band_y + 8)]), stroke="#ffffff", width=1.5, opacity=0.6)
    )
    items.append(
        _Shape(
            _poly([(bx0, band_y + band_h - 8), (bx1, band_y + band_h - 8)]),
            stroke="#ffffff",
            width=1.5,
            opacity=0.6,
        )
    )
    # stars above the band
    for dx, r in ((-58, 16), (0, 26), (58, 16)):
        items.append(
            _Shape(
                _poly(star_points(cx + dx, band_y - 52 + (8 if dx else 0), r, r * 0.42, 5)), fill="#ffffff"
            )
        )
    # the achievement name on the band: shrink, then wrap into 3 lines
    fonts = chain("sans", "bold", "normal")
    block = fit(
        name, fonts, size=46, min_size=34, width=text_w, max_lines=3, line_height=1.08, max_height=band_h - 20
    )
    m = fonts[0].face.metrics
    asc, desc = m["ascent"] / 1000.0, -m["descent"] / 1000.0
    top = band_y + (band_h - len(block.lines) * block.line_height) / 2
    for i, (ln, lw) in enumerate(zip(block.lines, block.widths, strict=True)):
        base = (
            top
            + i * block.line_height
            + (block.line_height - (asc + desc) * block.size) / 2
            + asc * block.size
        )
        items.append(_Text(ln, block.size, cx - lw / 2, base, "#ffffff"))
    if issuer:
        ib = fit(issuer.upper(), fonts, size=22, min_size=12, width=300, max_lines=1, tracking=0.12)
        y = band_y + band_h + 78 if shape != "shield" else band_y + band_h + 74
        items.append(_Text(ib.lines[0], ib.size, cx - ib.widths[0] / 2, y, "#ffffff"))
    return items


# ---- SVG -----------------------------------------------------------------------------------------


class _PathPen:
    def __init__(self) -> None:
        self.parts: list[str] = []

    def moveTo(self, p: Point) -> None:  # fontTools pen protocol
        self.parts.append(f"M{p[0]} {p[1]}")

    def lineTo(self, p: Point) -> None:
        self.parts.append(f"L{p[0]} {p[1]}")

    def qCurveTo(self, *pts: Point) -> None:
        # implied on-curve points between consecutive off-curve points
        for i in range(len(pts) - 1):
            c = pts[i]
            e = (
                pts[i + 1]
                if i + 2 == len(pts)
                else ((pts[i][0] + pts[i + 1][0]) / 2, (pts[i][1] + pts[i + 1][1]) / 2)
            )
            self.parts.append(f"Q{c[0]} {c[1]} {e[0]} {e[1]}")

    def curveTo(self, *pts: Point) -> None:
        self.parts.append("C" + " ".join(f"{p[0]} {p[1]}" for p in pts))

    def closePath(self) -> None:
        self.parts.append("Z")

    def endPath(self) -> None:
        pass


@lru_cache(maxsize=8192)
def _glyph_path(face: Face, gid: int) -> str:
    pen = _PathPen()
    face.hb_font.draw_glyph_with_pen(gid, pen)
    return "".join(pen.parts)


def _hex(col: str | Color) -> str:
    r, g, b = parse_color(col) if isinstance(col, str) else col
    return f"#{round(r * 255):02x}{round(g * 255):02x}{round(b * 255):02x}"


def _svg_d(cmds: list[PathCmd]) -> str:
    out = []
    for c in cmds:
        if c[0] == "Z":
            out.append("Z")
        else:
            out.append(c[0] + " ".join(num(round(v, 2)) for v in c[1:]))
    return "".join(out)


def badge_svg(
    name: str,
    brand_colour: str = "#1d3f6e",
    *,
    accent: str = "#d4a83c",
    shape: str = "circle",
    issuer: str | None = None,
    size: int = 600,
) -> str:
    """An SVG badge: a circle, shield or hexagon in the brand colour with the achievement name on a
    ribbon (wrapped, any script), optionally the issuer's name below."""
    _check(brand_colour, accent, shape, size)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" viewBox="0 0 600 600" '
        f'role="img" aria-label="{escape(name, {chr(34): "&quot;"})}">',
        f"<title>{escape(name)}</title>",
    ]
    for it in _items(name, brand_colour, accent, shape, issuer):
        if isinstance(it, _Shape):
            attrs = [f'd="{_svg_d(it.cmds)}"']
            attrs.append(f'fill="{_hex(it.fill)}"' if it.fill is not None else 'fill="none"')
            if it.stroke is not None:
                attrs.append(f'stroke="{_hex(it.stroke)}" stroke-width="{num(it.width)}"')
            if it.opacity is not None:
                attrs.append(f'opacity="{num(it.opacity)}"')
            out.append(f"<path {' '.join(attrs)}/>")
        else:
            glyphs = []
            pen = it.x
            for run in it.line.runs:
                k = it.size / run.font.face.upem
                # synthetic bold (CJK ships in one weight): outline stroked as in the PDF
                bold = (
                    f' stroke="{_hex(it.color)}" stroke-width="{num(round(0.04 * run.font.face.upem, 1))}"'
                    if run.font.synthetic_bold
                    else ""
                )
                for gid, gx, gy in zip(run.gids, run.xs, run.ys, strict=True):
                    d = _glyph_path(run.font.face, gid)
                    if d:
                        glyphs.append(
                            f'<path transform="matrix({num(round(k, 5))} 0 0 {num(round(-k, 5))} '
                            f'{num(round(pen + gx * k, 2))} {num(round(it.baseline - gy * k, 2))})"'
                            f'{bold} d="{d}"/>'
                        )
                pen += run.advance * k
            out.append(f'<g fill="{_hex(it.color)}" aria-hidden="true">' + "".join(glyphs) + "</g>")
    out.append("</svg>")
    return "\n".join(out)


# ---- PNG -----------------------------------------------------------------------------------------


def badge_png(
    name: str,
    brand_colour: str = "#1d3f6e",
    *,
    accent: str = "#d4a83c",
    shape: str = "circle",
    issuer: str | None = None,
    size: int = 600,
) -> bytes:
    """The same badge as a size x size PNG with a transparent background."""

    _check(brand_colour, accent, shape, size)
    c = Canvas(S, S)
    for it in _items(name, brand_colour, accent, shape, issuer):
        if isinstance(it, _Shape):
            c.path(it.cmds, fill=it.fill, stroke=it.stroke, width=it.width, opacity=it.opacity)
        else:
            c.text_line(it.line, it.size, it.x, it.baseline, it.color)
    im = rasterize(canvas_pdf(c, [], name), size / S, may_draw_forms=False, fill_color=(0, 0, 0, 0))
    buf = io.BytesIO()
    im.save(buf, "PNG", optimize=True)
    return buf.getvalue()


def _check(brand_colour: str, accent: str, shape: str, size: int) -> None:
    for label, v in (("brand_colour", brand_colour), ("accent", accent)):
        if not isinstance(v, str) or not HEX_COLOR.match(v):
            raise ValueError(f"{label} must be a colour like #1d3f6e (got {v!r})")
    if shape not in SHAPES:
        raise ValueError(f"shape must be one of {', '.join(SHAPES)} (got {shape!r})")
    if not 16 <= size <= 4096:
        raise ValueError("size must be between 16 and 4096 pixels")
