"""What a PDF's first page says, as PDFium (Chrome's PDF engine) extracts it: the text a reader copies."""

from __future__ import annotations

import pypdfium2 as pdfium


def page_text(pdf: bytes) -> str:
    doc = pdfium.PdfDocument(pdf)
    try:
        return doc[0].get_textpage().get_text_range()
    finally:
        doc.close()
