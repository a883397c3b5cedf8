"""Output of a drawn canvas: a one-page PDF (with attachments), and a PDF page as pixels.

Shared by certificates (:mod:`.render`), badges (:mod:`.badge`) and previews (:mod:`.samples`). PDFium is
not thread-safe: every use of it holds :data:`PDFIUM_LOCK`.
"""

from __future__ import annotations

import hashlib
import threading
from typing import TYPE_CHECKING, Any

from .canvas import Canvas, finish_page
from .pdf import Name, Raw, Ref, Writer, text_string

if TYPE_CHECKING:
    from PIL.Image import Image

Attachment = tuple[str, bytes, str]  # (filename, data, mime type)

PDFIUM_LOCK = threading.Lock()  # PDFium is not thread-safe


def rasterize(pdf: bytes, scale: float, **options: Any) -> Image:
    """The first page of ``pdf`` as a PIL image, ``scale`` pixels a point; ``options`` go to PDFium's
    ``render`` (``fill_color``, ``draw_annots``, ...)."""
    import pypdfium2 as pdfium  # a native library: loaded only when pixels are asked for

    with PDFIUM_LOCK:
        doc = pdfium.PdfDocument(pdf)
        try:
            image: Image = doc[0].render(scale=scale, **options).to_pil()
            return image
        finally:
            doc.close()


def rasterize_to_fit(pdf: bytes, width: int, height: int | None = None, **options: Any) -> Image:
    """The first page of ``pdf`` drawn to fit ``width`` × ``height`` pixels (``height`` None: exactly
    ``width`` wide), at that size: sharper and cheaper than drawing it at a DPI and resizing the pixels."""
    import pypdfium2 as pdfium  # a native library: loaded only when pixels are asked for

    with PDFIUM_LOCK:
        doc = pdfium.PdfDocument(pdf)
        try:
            page = doc[0]
            page_width, page_height = page.get_size()
            scale = width / page_width if height is None else min(width / page_width, height / page_height)
            # PDFium's size is the product rounded up: a hair under keeps 1200.0000001 from being 1201
            image: Image = page.render(scale=scale * (1 - 1e-9), **options).to_pil()
            return image
        finally:
            doc.close()


def canvas_pdf(canvas: Canvas, attachments: list[Attachment], title: str) -> bytes:
    """A one-page PDF of ``canvas``; ``attachments`` go into its EmbeddedFiles and associated files (/AF)."""
    w = Writer()
    pages = w.reserve()
    page = finish_page(w, canvas, extra_page={"Parent": pages})
    w.put(pages, {"Type": Name("Pages"), "Kids": [page], "Count": 1})
    catalog: dict[str, Any] = {
        "Type": Name("Catalog"),
        "Pages": pages,
        "ViewerPreferences": {"DisplayDocTitle": True},
    }
    if attachments:
        specs = [_filespec(w, *a) for a in attachments]
        names: list[Any] = []
        for (fname, _, _), spec in sorted(zip(attachments, specs, strict=True), key=lambda p: p[0][0]):
            names += [text_string(fname), spec]
        catalog["Names"] = {"EmbeddedFiles": {"Names": names}}
        catalog["AF"] = specs
    root = w.add(catalog)
    info = w.add({"Title": title, "Producer": b"credstack"})
    return w.finish(root, info)


def _filespec(w: Writer, filename: str, data: bytes, mime: str) -> Ref:
    if not isinstance(data, bytes | bytearray) or not isinstance(filename, str) or not filename:
        raise TypeError("attachments are (filename, bytes, mime type) tuples")
    data = bytes(data)
    params = {
        "Size": len(data),
        "CheckSum": Raw(b"<" + hashlib.md5(data, usedforsecurity=False).hexdigest().encode() + b">"),
    }
    ef = w.stream(
        data,
        {"Type": Name("EmbeddedFile"), "Subtype": Name(mime or "application/octet-stream"), "Params": params},
    )
    return w.add(
        {
            "Type": Name("Filespec"),
            "F": filename.encode("ascii", "replace"),
            "UF": filename,
            "EF": {"F": ef, "UF": ef},
            "Desc": filename,
            "AFRelationship": Name("Data"),
        }
    )
