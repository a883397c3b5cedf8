"""Built-in certificate templates: vector backgrounds + a default element layout, parameterised by a
brand colour, an accent colour, a logo and a signatory. `builtin_design()` returns a plain design
dict that an issuer can then edit like any other.

A template is a module of this package with a `TEMPLATE` (a `base.Template`) listed in `TEMPLATES`:
a background (`draw`, drawn at render time from the template's name and colours) and a layout
(`elements`, run once by `builtin_design()`; the elements it returns are stored in the design and
may be edited). Layouts are put together from the blocks in `blocks.py` — logo, recipient block,
ruled field, signatory, footer columns, QR code — and backgrounds from the pieces in `ornaments.py`,
so a new template mostly says where its blocks go and how its text looks. Adding one: a module with
`draw`, `elements` and `TEMPLATE` (see `minimal.py` for a short one, `elegant.py` for a variant of
another layout) and its entry in `TEMPLATES`. Element ids are part of the design format (the
designer's overrides refer to them): keep them when changing a layout.

benchmarks/render_compare.py shows, picture by picture, whether a change to this package changes any
certificate; tests/render/test_builtin_templates.py fails when one changes.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from ..canvas import Canvas
from ..page import size_mm
from . import classic, elegant, minimal, modern
from .base import Page, Template

__all__ = ["TEMPLATES", "Page", "Template", "builtin_design", "draw_background"]

TEMPLATES: dict[str, Template] = {
    t.name: t for t in (classic.TEMPLATE, modern.TEMPLATE, minimal.TEMPLATE, elegant.TEMPLATE)
}

_bg_cache: dict[
    tuple[str, str, str, float, float], tuple[list[str | Callable[[], str]], dict[float, str]]
] = {}
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
    signatory: dict[str, Any] | None = None,
    heading: str = "Certificate",
    subheading: str = "of Completion",
) -> dict[str, Any]:
    """A complete, editable design from a built-in template.

    logo: the asset name of the logo image (drawn if supplied at render time).
    signatory: {"name": ..., "title": ..., "asset": <signature image asset name>} (all optional)."""
    t = TEMPLATES[template]
    color, accent = color or t.color, accent or t.accent
    page = {"size": size, "orientation": orientation}
    W, H = size_mm(size, orientation)
    return {
        "version": 1,
        "page": page,
        "background": {"template": template, "color": color, "accent": accent},
        "elements": t.elements(Page(W, H, color, accent, logo, signatory, heading, subheading)),
    }
