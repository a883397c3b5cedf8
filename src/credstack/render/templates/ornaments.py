"""Background pieces shared by the templates: rosettes, seals, frames and their corners."""

from __future__ import annotations

import math
from typing import Any

from ..canvas import KAPPA, Canvas, Color, mix, star_points
from .base import BLACK, WHITE


def rosette(
    c: Canvas,
    cx: float,
    cy: float,
    r: float,
    color: str,
    n: int = 36,
    opacity: float = 0.07,
    width: float = 0.5,
) -> None:
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
    cmds: list[Any] = []
    for i in range(n):
        a = math.pi * i / n
        ca, sa = math.cos(a), math.sin(a)
        p = [(cx + x * ca - y * sa, cy + x * sa + y * ca) for x, y in base]
        cmds.append(("M", *p[0]))
        for j in range(1, 13, 3):
            cmds.append(("C", *p[j], *p[j + 1], *p[j + 2]))
        cmds.append(("Z",))
    c.path(cmds, stroke=color, width=width, opacity=opacity)


def seal(c: Canvas, color: str | Color, accent: str, ribbon: str | Color | None = None) -> None:
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


def frame(c: Canvas, inset: float, color: str, width: float) -> None:
    """A rectangle `inset` from every edge of the page."""
    c.rect(inset, inset, c.width - 2 * inset, c.height - 2 * inset, stroke=color, width=width)


def corners(c: Canvas, inset: float) -> tuple[tuple[float, float, int, int], ...]:
    """The corners of a frame `inset` from the edges: (x, y, sx, sy), s pointing into the page."""
    W, H, m = c.width, c.height, inset
    return ((m, m, 1, 1), (W - m, m, -1, 1), (m, H - m, 1, -1), (W - m, H - m, -1, -1))
