"""One PDF page being drawn: vector primitives, images, text lines. Coordinates in pt, origin at the
top-left corner, y downwards (as designs are written); converted to PDF space on output."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

from .fonts import Face
from .pdf import FontUse, Name, Ref, Stream, Writer, deflated_after, num
from .text import Line

Color = tuple[float, float, float]
Paint = str | Color | None  # a fill or stroke colour; None: not filled / not stroked
Dash = Sequence[float] | None
PathCmd = tuple[Any, ...]  # ('M', x, y) ('L', x, y) ('C', x1, y1, x2, y2, x, y) ('Z',)
KAPPA = 0.5522847498


def parse_color(c: str) -> Color:
    """'#rrggbb' or '#rgb' -> (r, g, b) in 0..1. Validation happens in design.py."""
    h = c.lstrip("#")
    if len(h) == 3:
        h = "".join(ch * 2 for ch in h)
    return int(h[0:2], 16) / 255.0, int(h[2:4], 16) / 255.0, int(h[4:6], 16) / 255.0


def mix(a: str | Color, b: str | Color, t: float) -> Color:
    """Blend colour a towards b by t (0 = a, 1 = b)."""
    ca = parse_color(a) if isinstance(a, str) else a
    cb = parse_color(b) if isinstance(b, str) else b
    return tuple(x + (y - x) * t for x, y in zip(ca, cb, strict=True))  # type: ignore[return-value]


def pdf_color(col: str | Color) -> str:
    """A colour as the three numbers of a PDF `rg`/`RG` operator."""
    r, g, b = parse_color(col) if isinstance(col, str) else col
    return f"{num(round(r, 4))} {num(round(g, 4))} {num(round(b, 4))}"


class Canvas:
    def __init__(self, width: float, height: float) -> None:
        self.width = width
        self.height = height
        self.ops: list[str | Callable[[], str]] = []
        self.fonts: dict[Face, FontUse] = {}
        self.xobjects: dict[str, Callable[[Writer], Ref]] = {}
        self._xobject_names: dict[object, str] = {}
        self.gstates: dict[float, str] = {}
        # how many leading ops are the same on every page of a design (its background): their
        # compression is done once per process and reused (pdf.deflate_after); 0: none marked
        self.fixed_ops = 0

    # ---- state ----
    def _y(self, y: float) -> float:
        return self.height - y

    def _alpha(self, a: float) -> str:
        a = round(a, 3)
        name = self.gstates.get(a)
        if name is None:
            name = self.gstates[a] = f"GS{len(self.gstates) + 1}"
        return f"/{name} gs "

    def _paint(
        self,
        fill: Paint,
        stroke: Paint,
        width: float,
        opacity: float | None,
        dash: Dash = None,
        cap: int | None = None,
    ) -> tuple[str, str]:
        pre = "q "
        if opacity is not None and opacity < 1:
            pre += self._alpha(opacity)
        if fill is not None:
            pre += pdf_color(fill) + " rg "
        if stroke is not None:
            pre += f"{pdf_color(stroke)} RG {num(round(width, 3))} w "
            if dash:
                pre += "[" + " ".join(num(round(d, 3)) for d in dash) + "] 0 d "
            if cap is not None:  # 0 butt, 1 round, 2 square; joins follow (round caps, round joins)
                pre += f"{cap} J {cap} j "
        op = "B" if fill is not None and stroke is not None else "f" if fill is not None else "S"
        return pre, f" {op} Q"

    # ---- primitives ----
    def rect(
        self,
        x: float,
        y: float,
        w: float,
        h: float,
        *,
        fill: Paint = None,
        stroke: Paint = None,
        width: float = 1.0,
        radius: float = 0.0,
        opacity: float | None = None,
        dash: Dash = None,
    ) -> None:
        if fill is None and stroke is None:
            return
        pre, post = self._paint(fill, stroke, width, opacity, dash)
        if radius > 0:
            self.ops.append(pre + self._round_rect(x, y, w, h, min(radius, w / 2, h / 2)) + post)
        else:
            self.ops.append(pre + f"{num(x)} {num(self._y(y + h))} {num(w)} {num(h)} re" + post)

    def _round_rect(self, x: float, y: float, w: float, h: float, r: float) -> str:
        k = r * KAPPA
        pts = self._y
        x1, y1 = x + w, y + h
        return (
            f"{num(x + r)} {num(pts(y))} m {num(x1 - r)} {num(pts(y))} l "
            f"{num(x1 - r + k)} {num(pts(y))} {num(x1)} {num(pts(y + r - k))} {num(x1)} {num(pts(y + r))} c "
            f"{num(x1)} {num(pts(y1 - r))} l "
            f"{num(x1)} {num(pts(y1 - r + k))} {num(x1 - r + k)} {num(pts(y1))} {num(x1 - r)} {num(pts(y1))} c "
            f"{num(x + r)} {num(pts(y1))} l "
            f"{num(x + r - k)} {num(pts(y1))} {num(x)} {num(pts(y1 - r + k))} {num(x)} {num(pts(y1 - r))} c "
            f"{num(x)} {num(pts(y + r))} l "
            f"{num(x)} {num(pts(y + r - k))} {num(x + r - k)} {num(pts(y))} {num(x + r)} {num(pts(y))} c h"
        )

    def line(
        self,
        x1: float,
        y1: float,
        x2: float,
        y2: float,
        *,
        color: str | Color = "#000000",
        width: float = 1.0,
        opacity: float | None = None,
        dash: Dash = None,
        cap: int | None = None,
    ) -> None:
        pre, post = self._paint(None, color, width, opacity, dash, cap)
        self.ops.append(pre + f"{num(x1)} {num(self._y(y1))} m {num(x2)} {num(self._y(y2))} l" + post)

    def circle(
        self,
        cx: float,
        cy: float,
        r: float,
        *,
        fill: Paint = None,
        stroke: Paint = None,
        width: float = 1.0,
        opacity: float | None = None,
        dash: Dash = None,
    ) -> None:
        self.ellipse(cx, cy, r, r, fill=fill, stroke=stroke, width=width, opacity=opacity, dash=dash)

    def ellipse(
        self,
        cx: float,
        cy: float,
        rx: float,
        ry: float,
        *,
        fill: Paint = None,
        stroke: Paint = None,
        width: float = 1.0,
        opacity: float | None = None,
        dash: Dash = None,
    ) -> None:
        pre, post = self._paint(fill, stroke, width, opacity, dash)
        self.ops.append(pre + _ellipse_path(cx, self._y(cy), rx, ry) + post)

    def path(
        self,
        cmds: Sequence[PathCmd],
        *,
        fill: Paint = None,
        stroke: Paint = None,
        width: float = 1.0,
        opacity: float | None = None,
        even_odd: bool = False,
        dash: Dash = None,
        cap: int | None = None,
    ) -> None:
        """cmds: ('M', x, y) ('L', x, y) ('C', x1, y1, x2, y2, x, y) ('Z',) in page coordinates."""
        pre, post = self._paint(fill, stroke, width, opacity, dash, cap)
        if even_odd and fill is not None:
            post = post.replace(" f Q", " f* Q").replace(" B Q", " B* Q")
        self.ops.append(pre + path_ops(cmds, self._y) + post)

    def polygon(self, pts: Sequence[tuple[float, float]], **kw: Any) -> None:
        self.path([("M", *pts[0]), *[("L", *p) for p in pts[1:]], ("Z",)], **kw)

    def raw(self, ops: str) -> None:
        self.ops.append(ops)

    # ---- xobjects ----
    def xobject(self, key: object, build: Callable[[Writer], Ref]) -> str:
        name = self._xobject_names.get(key)
        if name is None:
            name = self._xobject_names[key] = f"X{len(self._xobject_names) + 1}"
            self.xobjects[name] = build
        return name

    def draw_xobject(
        self, name: str, x: float, y: float, w: float, h: float, opacity: float | None = None
    ) -> None:
        """Place an image (unit square) or a form already scaled to 1x1 into the box."""
        pre = "q " + (self._alpha(opacity) if opacity is not None and opacity < 1 else "")
        self.ops.append(pre + f"{num(w)} 0 0 {num(h)} {num(x)} {num(self._y(y + h))} cm /{name} Do Q")

    def clip_rect(self, x: float, y: float, w: float, h: float) -> None:
        self.ops.append(f"q {num(x)} {num(self._y(y + h))} {num(w)} {num(h)} re W n")

    def restore(self) -> None:
        self.ops.append("Q")

    # ---- text ----
    def _font(self, face: Face) -> FontUse:
        fu = self.fonts.get(face)
        if fu is None:
            fu = self.fonts[face] = FontUse(face, f"F{len(self.fonts) + 1}")
        return fu

    def text_line(
        self,
        line: Line,
        size: float,
        x: float,
        baseline: float,
        color: str | Color = "#000000",
        opacity: float | None = None,
    ) -> None:
        """Draw one shaped line with its left edge at x and baseline at `baseline` (page coords)."""
        if not line.runs:
            return
        uses = []
        for run in line.runs:
            fu = self._font(run.font.face)
            fu.use(run.gids, run.glyph_text)
            uses.append(fu)
        y = self._y(baseline)
        col = pdf_color(color)
        alpha = self._alpha(opacity) if opacity is not None and opacity < 1 else ""

        def emit() -> str:
            out = [f"q {alpha}{col} rg {col} RG BT"]
            pen = x
            for run, fu in zip(line.runs, uses, strict=True):
                k = size / run.font.face.upem
                new = fu.new
                assert new is not None, "the font is embedded before the content is written"
                face = run.font.face
                mode = 2 if run.font.synthetic_bold else 0
                slant = "0.21" if run.font.synthetic_italic else "0"  # tan 12 degrees
                # Text extraction: every glyph maps to its characters (ToUnicode). Where that does not
                # spell the run's text in glyph order (conjuncts, reordered vowel signs), the run also
                # carries its text as ActualText. RTL runs are left to ToUnicode: extractors read them
                # glyph by glyph in visual order and reverse them (see text._glyph_texts).
                span = not run.rtl and "".join(run.glyph_text) != run.text
                if span:
                    actual = run.text.encode("utf-16-be").hex().upper()
                    out.append(f"/Span <</ActualText <FEFF{actual}>>> BDC")
                out.append(f"/{fu.res_name} {num(round(size, 3))} Tf {mode} Tr")
                if mode:
                    out.append(f"{num(round(size * 0.04, 3))} w")
                # glyphs put at their shaped positions with TJ adjustments, a new Tm when the
                # vertical offset changes (marks)
                seg: list[str] = []
                seg_y = None
                cur = 0.0
                for g, gx, gy in zip(run.gids, run.xs, run.ys, strict=True):
                    if seg_y is None or gy != seg_y:
                        if seg:
                            out.append(f"[{' '.join(seg)}] TJ")
                        out.append(
                            f"1 0 {slant} 1 {num(round(pen + gx * k, 3))} {num(round(y + gy * k, 3))} Tm"
                        )
                        seg, seg_y = [], gy
                    else:
                        adj = (cur - gx) * 1000.0 / face.upem
                        if abs(adj) > 0.01:
                            seg.append(num(round(adj, 2)))
                    seg.append(f"<{new[g]:04X}>")
                    cur = gx + face.advance(g)
                if seg:
                    out.append(f"[{' '.join(seg)}] TJ")
                if span:
                    out.append("EMC")
                pen += run.advance * k
            out.append("ET Q")
            return "\n".join(out)

        self.ops.append(emit)

    # ---- output ----
    def content(self) -> bytes:
        return "\n".join(op() if callable(op) else op for op in self.ops).encode("latin-1")

    def content_parts(self) -> tuple[bytes, bytes]:
        """``content()`` cut after the ops marked fixed (``fixed_ops``): (prefix, rest), prefix + rest
        being ``content()``."""
        k = self.fixed_ops
        if not 0 < k < len(self.ops) or any(callable(op) for op in self.ops[:k]):
            return b"", self.content()
        prefix = "\n".join(self.ops[:k]) + "\n"  # type: ignore[arg-type]
        rest = "\n".join(op() if callable(op) else op for op in self.ops[k:])
        return prefix.encode("latin-1"), rest.encode("latin-1")


def _ellipse_path(cx: float, cy: float, rx: float, ry: float) -> str:
    kx, ky = rx * KAPPA, ry * KAPPA
    return (
        f"{num(cx + rx)} {num(cy)} m "
        f"{num(cx + rx)} {num(cy + ky)} {num(cx + kx)} {num(cy + ry)} {num(cx)} {num(cy + ry)} c "
        f"{num(cx - kx)} {num(cy + ry)} {num(cx - rx)} {num(cy + ky)} {num(cx - rx)} {num(cy)} c "
        f"{num(cx - rx)} {num(cy - ky)} {num(cx - kx)} {num(cy - ry)} {num(cx)} {num(cy - ry)} c "
        f"{num(cx + kx)} {num(cy - ry)} {num(cx + rx)} {num(cy - ky)} {num(cx + rx)} {num(cy)} c h"
    )


def path_ops(cmds: Sequence[PathCmd], fy: Callable[[float], float] = lambda y: y) -> str:
    out = []
    for c in cmds:
        op = c[0]
        if op == "M":
            out.append(f"{num(round(c[1], 3))} {num(round(fy(c[2]), 3))} m")
        elif op == "L":
            out.append(f"{num(round(c[1], 3))} {num(round(fy(c[2]), 3))} l")
        elif op == "C":
            out.append(
                " ".join(f"{num(round(c[i], 3))} {num(round(fy(c[i + 1]), 3))}" for i in (1, 3, 5)) + " c"
            )
        elif op == "Z":
            out.append("h")
    return " ".join(out)


def star_points(
    cx: float, cy: float, r_out: float, r_in: float, n: int, rotation: float = -math.pi / 2
) -> list[tuple[float, float]]:
    pts = []
    for i in range(2 * n):
        r = r_out if i % 2 == 0 else r_in
        a = rotation + i * math.pi / n
        pts.append((cx + r * math.cos(a), cy + r * math.sin(a)))
    return pts


def finish_page(w: Writer, canvas: Canvas, *, extra_page: dict[str, Any] | None = None) -> Ref:
    """Write the page's fonts, xobjects and content; return the page ref (Parent set by caller)."""
    font_refs = {}
    for fu in canvas.fonts.values():
        ref = w.reserve()
        fu.embed(w, ref)  # assigns new glyph ids, needed by the deferred text ops
        font_refs[fu.res_name] = ref
    prefix, rest = canvas.content_parts()
    res: dict[str, Any] = {}
    if font_refs:
        res["Font"] = {Name(k): v for k, v in font_refs.items()}
    if canvas.xobjects:
        res["XObject"] = {Name(k): build(w) for k, build in canvas.xobjects.items()}
    if canvas.gstates:
        res["ExtGState"] = {
            Name(n): {"Type": Name("ExtGState"), "ca": a, "CA": a} for a, n in canvas.gstates.items()
        }
    page = {
        "Type": Name("Page"),
        "MediaBox": [0, 0, round(canvas.width, 3), round(canvas.height, 3)],
        "Resources": res,
        "Contents": w.add(deflated_after(prefix, rest)) if prefix else w.stream(rest),
    }
    if extra_page:
        page.update(extra_page)
    return w.add(page)


__all__ = ["Canvas", "Stream", "finish_page", "mix", "parse_color", "path_ops", "star_points"]
