"""Design + values + assets -> PDF (and PNG preview)."""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from typing import Any, cast

from . import images, qr, templates
from .canvas import Canvas, pdf_color
from .design import (
    Background,
    Design,
    Element,
    ImageElement,
    QRElement,
    TextElement,
    apply_case,
    check_design,
    fill,
    length_pt,
    page_size_mm,
)
from .fonts import chain
from .raster import Attachment, canvas_pdf, rasterize
from .stamp import draw_stamp
from .text import fit


@dataclass
class TextBox:
    """Where a text element ended up (pt, page top-left origin) — for tests and editors."""

    id: str | None
    text: str
    size: float
    lines: int
    x0: float
    y0: float
    x1: float
    y1: float


@dataclass
class Drawn:
    canvas: Canvas
    boxes: list[TextBox]


def draw(
    design: Design | dict[str, Any], values: dict[str, Any], assets: dict[str, bytes] | None = None
) -> Drawn:
    """Lay the certificate out on a canvas (no PDF bytes yet). The design is checked first: a plain
    dict (read from the database, or from builtin_design()) is fine."""
    check_design(design)
    design = cast(Design, design)  # check_design() raised DesignError unless it is one
    assets = assets or {}
    wmm, hmm = page_size_mm(design)
    c = Canvas(length_pt(wmm, 0), length_pt(hmm, 0))
    _background(c, design.get("background", {}), assets, wmm, hmm)
    c.fixed_ops = len(c.ops)  # the background: the same on every certificate of the design
    boxes: list[TextBox] = []
    for el in design.get("elements", []):
        turned = _rotate(c, el, wmm, hmm)
        if el["type"] == "text":
            boxes.append(_text(c, el, values, wmm, hmm))
        elif el["type"] == "image":
            _image(c, el, assets, wmm, hmm)
        elif el["type"] == "qr":
            _qr(c, el, values, wmm, hmm)
        elif el["type"] == "line":
            c.line(
                length_pt(el["x1"], wmm),
                length_pt(el["y1"], hmm),
                length_pt(el["x2"], wmm),
                length_pt(el["y2"], hmm),
                color=el.get("color", "#000000"),
                width=el.get("stroke_width", 1.0),
                opacity=el.get("opacity"),
                dash=el.get("dash"),
            )
        elif el["type"] == "rect":
            c.rect(
                length_pt(el["x"], wmm),
                length_pt(el["y"], hmm),
                length_pt(el["width"], wmm),
                length_pt(el["height"], hmm),
                fill=el.get("fill"),
                stroke=el.get("stroke"),
                width=el.get("stroke_width", 1.0),
                radius=length_pt(el.get("radius", 0), 0),
                opacity=el.get("opacity"),
            )
        if turned:
            c.restore()
    return Drawn(c, boxes)


def element_box(el: Element, wmm: float, hmm: float) -> tuple[float, float, float, float]:
    """An element's own box (x, y, width, height in pt, page top-left origin): what ``rotate`` turns
    about (its centre). A text's box is one line at its size unless it has a height."""
    if el["type"] == "qr":
        s = length_pt(el["size"], wmm)
        return length_pt(el["x"], wmm), length_pt(el["y"], hmm), s, s
    if el["type"] == "line":
        x1, y1 = length_pt(el["x1"], wmm), length_pt(el["y1"], hmm)
        x2, y2 = length_pt(el["x2"], wmm), length_pt(el["y2"], hmm)
        return min(x1, x2), min(y1, y2), abs(x2 - x1), abs(y2 - y1)
    x, y, w = length_pt(el["x"], wmm), length_pt(el["y"], hmm), length_pt(el["width"], wmm)
    if el["type"] == "text":
        size = float(el.get("size", 12))
        h = length_pt(el["height"], hmm) if "height" in el else size * float(el.get("line_height", 1.2))
    else:
        h = length_pt(el["height"], hmm)
    return x, y, w, h


def rotation_matrix(angle: float, cx: float, cy: float) -> tuple[float, ...]:
    """The PDF ``cm`` matrix turning the page ``angle`` degrees clockwise (as seen) about (cx, cy) in
    PDF space (y up): a clockwise turn on the page is a negative angle in PDF space."""
    a = math.radians(-angle)
    cos, sin = math.cos(a), math.sin(a)
    return (cos, sin, -sin, cos, cx - cos * cx + sin * cy, cy - sin * cx - cos * cy)


def rotation(el: Element | dict[str, Any]) -> float:
    """An element's turn in degrees, 0 <= angle < 360 (0: not turned)."""
    value = el.get("rotate", 0)
    return float(value) % 360 if isinstance(value, int | float) else 0.0


def _rotate(c: Canvas, el: Element, wmm: float, hmm: float) -> bool:
    """Open a graphics state turned by the element's ``rotate`` (closed by the caller); False when
    the element is not turned."""
    if el["type"] == "line":
        return False
    angle = rotation(el)
    if not angle:
        return False
    x, y, w, h = element_box(el, wmm, hmm)
    m = rotation_matrix(angle, x + w / 2, c.height - (y + h / 2))
    c.raw("q " + " ".join(f"{v:.6f}" for v in m) + " cm")
    return True


def _background(c: Canvas, bg: Background, assets: dict[str, bytes], wmm: float, hmm: float) -> None:
    if "template" in bg:
        templates.draw_background(c, bg["template"], bg.get("color"), bg.get("accent"))
    elif "fill" in bg:
        c.rect(0, 0, c.width, c.height, fill=bg["fill"])
    elif "image" in bg:
        img = images.image_xobject(_asset(assets, bg["image"], "background.image"))
        name = c.xobject(("img", bg["image"]), lambda w: images.add_image(w, img))
        _place_image(c, name, img.width, img.height, 0, 0, c.width, c.height, "cover", None)
    elif "pdf" in bg:
        form = images.pdf_form(_asset(assets, bg["pdf"], "background.pdf"))
        name = c.xobject(("pdf", bg["pdf"]), lambda w: w.add_snapshot(form.objs)[0])
        m = images.form_matrix(form, c.width, c.height)
        c.raw("q " + " ".join(f"{v:.6g}" for v in m) + f" cm /{name} Do Q")


def _asset(assets: dict[str, bytes], name: str, where: str) -> bytes:
    try:
        return assets[name]
    except KeyError:
        raise images.AssetError(f"{where}: asset {name!r} is not supplied") from None


def _text(c: Canvas, el: TextElement, values: dict[str, Any], wmm: float, hmm: float) -> TextBox:
    s = fill(el["text"], values)
    s = apply_case(s, el.get("transform", "none"))
    size = float(el.get("size", 12))
    lh = float(el.get("line_height", 1.2))
    fonts = chain(el.get("font", "sans"), el.get("weight", "regular"), el.get("style", "normal"))
    x, y = length_pt(el["x"], wmm), length_pt(el["y"], hmm)
    w = length_pt(el["width"], wmm)
    h = length_pt(el["height"], hmm) if "height" in el else size * lh
    block = fit(
        s,
        fonts,
        size=size,
        min_size=float(el.get("min_size", size)),
        width=w,
        max_lines=int(el.get("max_lines", 1)),
        line_height=lh,
        tracking=float(el.get("letter_spacing", 0.0)),
    )
    m = fonts[0].face.metrics
    asc, desc = m["ascent"] / 1000.0, -m["descent"] / 1000.0
    bh = len(block.lines) * block.line_height
    valign = el.get("valign", "middle")
    top = y if valign == "top" else y + h - bh if valign == "bottom" else y + (h - bh) / 2
    align = el.get("align", "left")
    color = el.get("color", "#000000")
    opacity = el.get("opacity")
    x0 = x1 = None
    for i, (line, lw) in enumerate(zip(block.lines, block.widths, strict=True)):
        lx = x if align == "left" else x + w - lw if align == "right" else x + (w - lw) / 2
        base = (
            top
            + i * block.line_height
            + (block.line_height - (asc + desc) * block.size) / 2
            + asc * block.size
        )
        c.text_line(line, block.size, lx, base, color, opacity)
        x0 = lx if x0 is None else min(x0, lx)
        x1 = lx + lw if x1 is None else max(x1, lx + lw)
    return TextBox(
        el.get("id"),
        s,
        block.size,
        len(block.lines),
        x0 if x0 is not None else x,
        top,
        x1 if x1 is not None else x,
        top + bh,
    )


def _image(c: Canvas, el: ImageElement, assets: dict[str, bytes], wmm: float, hmm: float) -> None:
    name = el["asset"]
    if name not in assets:
        if el.get("optional"):
            return
        raise images.AssetError(f"image element: asset {name!r} is not supplied")
    img = images.image_xobject(assets[name])
    xo = c.xobject(("img", name), lambda w: images.add_image(w, img))
    _place_image(
        c,
        xo,
        img.width,
        img.height,
        length_pt(el["x"], wmm),
        length_pt(el["y"], hmm),
        length_pt(el["width"], wmm),
        length_pt(el["height"], hmm),
        el.get("fit", "contain"),
        el.get("opacity"),
    )


def _place_image(
    c: Canvas,
    xo: str,
    iw: int,
    ih: int,
    x: float,
    y: float,
    w: float,
    h: float,
    fit_mode: str,
    opacity: float | None,
) -> None:
    if fit_mode == "stretch":
        c.draw_xobject(xo, x, y, w, h, opacity)
        return
    scale = (min if fit_mode == "contain" else max)(w / iw, h / ih)
    dw, dh = iw * scale, ih * scale
    if fit_mode == "cover":
        c.clip_rect(x, y, w, h)
        c.draw_xobject(xo, x + (w - dw) / 2, y + (h - dh) / 2, dw, dh, opacity)
        c.restore()
    else:
        c.draw_xobject(xo, x + (w - dw) / 2, y + (h - dh) / 2, dw, dh, opacity)


def _qr(c: Canvas, el: QRElement, values: dict[str, Any], wmm: float, hmm: float) -> None:
    value = fill(el.get("value", "{credential_url}"), values).strip()
    if not value:
        return
    size = length_pt(el["size"], wmm)
    c.raw(
        qr.pdf_ops(
            value,
            length_pt(el["x"], wmm),
            length_pt(el["y"], hmm),
            size,
            c.height,
            el.get("color", "#000000"),
            el.get("background", "#ffffff"),
            pdf_color,
        )
    )


# ---- PDF ---------------------------------------------------------------------------------------


def render_pdf(
    design: Design | dict[str, Any],
    values: dict[str, Any],
    assets: dict[str, bytes] | None = None,
    attachments: list[Attachment] | None = None,
    *,
    title: str | None = None,
    stamp: str | None = None,
    stamp_note: str = "",
    stamp_state: str | None = None,
) -> bytes:
    """The certificate as a one-page PDF, with fonts subset-embedded and files attached.

    Attachments (e.g. the signed credential JSON) go into the document's EmbeddedFiles and its
    associated files (/AF), so the PDF alone is enough to verify the credential offline. ``stamp``
    (e.g. "REVOKED", or the word in the credential's language) draws a diagonal band with that word, and
    ``stamp_note`` under it, over the page; ``stamp_state`` picks the band's colour."""
    drawn = draw(design, values, assets)
    if stamp:
        draw_stamp(drawn.canvas, stamp, stamp_note, stamp_state)
    return canvas_pdf(drawn.canvas, attachments or [], title or _title(values))


def _title(values: dict[str, Any]) -> str:
    parts = [str(values.get(k, "")).strip() for k in ("achievement_name", "recipient_name")]
    return " — ".join(p for p in parts if p) or "Certificate"


# ---- PNG ---------------------------------------------------------------------------------------


def pdf_to_png(pdf: bytes, dpi: float = 96, *, jpeg: bool = False) -> bytes:

    im = rasterize(pdf, dpi / 72.0, draw_annots=False)
    out = io.BytesIO()
    if jpeg:
        im.convert("RGB").save(out, "JPEG", quality=88, optimize=True)
    else:
        im.save(out, "PNG", optimize=False, compress_level=6)
    return out.getvalue()


def render_png(
    design: Design | dict[str, Any],
    values: dict[str, Any],
    assets: dict[str, bytes] | None = None,
    dpi: float = 96,
) -> bytes:
    """A PNG preview of the certificate (96 dpi: 1123x794 px for A4 landscape)."""
    if not 10 <= dpi <= 600:
        raise ValueError("dpi must be between 10 and 600")
    return pdf_to_png(render_pdf(design, values, assets), dpi)
