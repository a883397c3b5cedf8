"""The designer's live preview: page one of the very PDF the certificate would be (same `draw`, same
`canvas_pdf`), as pixels, with where each text landed and which text would be hard to read.

    p = preview(design, sample_values(), assets, dpi=72)
    p.image  # PNG bytes; p.boxes: TextBox per text element (pt); p.warnings: ContrastWarning list
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .design import Design, page_size_mm
from .raster import canvas_pdf, rasterize
from .render import TextBox, draw, rotation

if TYPE_CHECKING:
    from PIL.Image import Image

# Text under 2.5:1 against what is behind it is hard to read at any size (white on cream is ~1.1:1).
# WCAG 2 asks 3:1 of large text and 4.5:1 of body text for web pages; a certificate's accent-coloured
# captions are typically between 2.8:1 and 4.5:1 (the classic template's gold subheading on cream is
# 2.9:1) and read well in print, so the warning is kept for text that really disappears.
MIN_CONTRAST = 2.5
SAMPLE_PIXELS = 6000


@dataclass
class ContrastWarning:
    element: int  # index in the design's elements
    id: str | None
    text: str
    color: str  # the text's colour
    background: str  # the colour found behind it
    ratio: float
    needed: float

    @property
    def message(self) -> str:
        return (
            f"Hard to read: {self.color} text on a {self.background} background has a contrast of "
            f"{self.ratio:.1f}:1; at least {self.needed:g}:1 is needed."
        )


@dataclass
class Preview:
    image: bytes
    mime: str
    width: int  # pixels
    height: int
    page_mm: tuple[float, float]
    boxes: list[tuple[int, TextBox]]  # (element index, where its text landed in pt)
    warnings: list[ContrastWarning]


def preview(
    design: Design | dict[str, Any],
    values: dict[str, Any],
    assets: dict[str, bytes] | None = None,
    *,
    dpi: float = 72,
    jpeg: bool = False,
) -> Preview:
    """Page one as PNG (or JPEG), drawn by the code that makes the PDF, plus text boxes and contrast
    warnings. Raises DesignError / AssetError as render_pdf does."""
    if not 10 <= dpi <= 300:
        raise ValueError("dpi must be between 10 and 300")
    drawn = draw(design, values, assets)
    pdf = canvas_pdf(drawn.canvas, [], "Preview")
    im = rasterize(pdf, dpi / 72.0, draw_annots=False).convert("RGB")
    elements = design.get("elements", [])
    text_indices = [i for i, el in enumerate(elements) if el.get("type") == "text"]
    boxes = list(zip(text_indices, drawn.boxes, strict=True))
    # a turned text's box is not where its ink is: its contrast is not measured
    warnings = [
        w
        for i, box in boxes
        if not rotation(elements[i]) and (w := _contrast(i, elements[i], box, im, dpi / 72.0)) is not None
    ]
    out = io.BytesIO()
    if jpeg:
        im.save(out, "JPEG", quality=90)
    else:
        im.save(out, "PNG", compress_level=1)
    return Preview(
        out.getvalue(),
        "image/jpeg" if jpeg else "image/png",
        im.width,
        im.height,
        page_size_mm(design),  # type: ignore[arg-type]
        boxes,
        warnings,
    )


def _rgb(color: str) -> tuple[int, int, int]:
    h = color.lstrip("#")
    if len(h) == 3:
        h = "".join(c * 2 for c in h)
    return int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16)


def _hex(rgb: tuple[int, int, int]) -> str:
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def luminance(rgb: tuple[int, int, int]) -> float:
    """WCAG relative luminance of an sRGB colour."""

    def lin(c: int) -> float:
        v = c / 255.0
        return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4

    r, g, b = rgb
    return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b)


def contrast_ratio(a: tuple[int, int, int], b: tuple[int, int, int]) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def background_under(
    im: Image, box: tuple[int, int, int, int], ink: tuple[int, int, int]
) -> tuple[int, int, int]:
    """The colour most of the box shows that is not the text's own ink: the most common colour
    (rounded to 16 levels a channel) among pixels clearly unlike the ink, or, when hardly any are,
    among those not the ink itself (a background close to the ink's colour); the ink if none."""
    region = im.crop(box).convert("RGB")
    area = region.width * region.height
    if area > SAMPLE_PIXELS:  # a sample of the box is plenty to find its most common colour
        k = (SAMPLE_PIXELS / area) ** 0.5
        region = region.resize((max(1, int(region.width * k)), max(1, int(region.height * k))), 0)
    buckets = region.point([(v & 0xF0) | 8 for v in range(256)] * 3)
    colours = [(n, c) for n, c in buckets.getcolors(maxcolors=4096) or [] if isinstance(c, tuple)]
    total = sum(n for n, _ in colours)
    for far in (90, 24):
        kept = [
            (n, c) for n, c in colours if abs(c[0] - ink[0]) + abs(c[1] - ink[1]) + abs(c[2] - ink[2]) >= far
        ]
        if kept and sum(n for n, _ in kept) >= total * 0.1:
            _, (r, g, b) = max(kept)
            return r, g, b
    return ink  # nothing but the ink: the text cannot be told from what is behind it


def _contrast(index: int, el: Any, box: TextBox, im: Image, scale: float) -> ContrastWarning | None:
    if not box.text.strip() or box.x1 - box.x0 < 1 or box.y1 - box.y0 < 1:
        return None
    if float(el.get("opacity", 1.0)) < 0.05:
        return None
    ink = _rgb(el.get("color", "#000000"))
    pad = 2.0  # pt around the text: the background right behind it
    px = (
        max(0, int((box.x0 - pad) * scale)),
        max(0, int((box.y0 - pad) * scale)),
        min(im.width, int((box.x1 + pad) * scale) + 1),
        min(im.height, int((box.y1 + pad) * scale) + 1),
    )
    if px[2] <= px[0] or px[3] <= px[1]:
        return None
    bg = background_under(im, px, ink)
    ratio = contrast_ratio(ink, bg)
    if ratio >= MIN_CONTRAST:
        return None
    return ContrastWarning(index, el.get("id"), box.text, _hex(ink), _hex(bg), round(ratio, 2), MIN_CONTRAST)
