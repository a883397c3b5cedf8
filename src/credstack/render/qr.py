"""QR codes as vector paths. segno spends ~80% of its time choosing a mask; a fixed mask is ~5x
faster and scans as well (mask choice only avoids rare patterns that confuse old decoders)."""

from __future__ import annotations

from collections.abc import Callable

import segno

from . import qrencode
from .pdf import num

FIXED_MASK = 4
QUIET = 2  # modules of light margin drawn around the symbol (inside the element's size)


def matrix(value: str, error: str = "m") -> list[list[int]]:
    """The code's modules (rows of 0/1, no quiet zone). A certificate's (a URL: byte mode, level M,
    version 10 at most) comes from :mod:`.qrencode`, the same modules ~7x faster; anything else from
    segno."""
    if error == "m" and FIXED_MASK == qrencode.MASK:
        fast = qrencode.matrix(value)
        if fast is not None:
            return fast
    q = segno.make_qr(value, error=error, mask=FIXED_MASK, boost_error=False)
    return [list(row) for row in q.matrix]


def rects(m: list[list[int]]) -> list[tuple[int, int, int, int]]:
    """Dark modules merged into horizontal runs: (col, row, length, 1)."""
    out = []
    for r, row in enumerate(m):
        c, n = 0, len(row)
        while c < n:
            if row[c]:
                s = c
                while c < n and row[c]:
                    c += 1
                out.append((s, r, c - s, 1))
            else:
                c += 1
    return out


def pdf_ops(
    value: str,
    x: float,
    y_top: float,
    size: float,
    page_height: float,
    color: str,
    background: str | None,
    rgb: Callable[[str], str],
) -> str:
    """Content-stream operators drawing the code in a size x size pt square (top-left at x, y_top)."""
    m = matrix(value)
    n = len(m) + 2 * QUIET
    mod = size / n
    ops = ["q"]
    y0 = page_height - y_top - size  # PDF y of the square's bottom edge
    if background:
        ops.append(
            f"{rgb(background)} rg {num(round(x, 3))} {num(round(y0, 3))} {num(round(size, 3))} "
            f"{num(round(size, 3))} re f"
        )
    ops.append(f"{rgb(color)} rg")
    # module grid: row r from the top -> PDF y = y0 + size - (r + QUIET + 1) * mod
    ops.append(f"{num(round(mod, 5))} 0 0 {num(round(mod, 5))} {num(round(x, 3))} {num(round(y0, 3))} cm")
    top = n - QUIET - 1
    parts = [f"{c + QUIET} {top - r} {ln} 1 re" for c, r, ln, _ in rects(m)]
    ops.append(" ".join(parts) + " f")
    ops.append("Q")
    return "\n".join(ops)


def svg_rects(value: str) -> tuple[int, list[tuple[int, int, int, int]]]:
    m = matrix(value)
    return len(m), rects(m)


def svg_document(value: str, *, title: str = "QR code", color: str = "#000000") -> str:
    """A standalone SVG of the code (white background, quiet zone included), scaling to any size."""
    n, runs = svg_rects(value)
    side = n + 2 * QUIET
    safe_title = title.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    path = "".join(f"M{c + QUIET} {r + QUIET}h{ln}v1h-{ln}z" for c, r, ln, _ in runs)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {side} {side}" width="{side * 8}" '
        f'height="{side * 8}" shape-rendering="crispEdges" role="img"><title>{safe_title}</title>'
        f'<rect width="{side}" height="{side}" fill="#ffffff"/><path fill="{color}" d="{path}"/></svg>'
    )
