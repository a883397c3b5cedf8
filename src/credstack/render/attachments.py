"""Reading the files attached to a certificate PDF (the signed credential travels inside it)."""

from __future__ import annotations

import io
import logging

MAX_PDF_BYTES = 25 * 1024 * 1024
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
MAX_ATTACHMENTS = 64


class AttachmentError(ValueError):
    """The input is not a PDF we are willing to read, or its attachments cannot be read."""


def extract_attachments(
    pdf: bytes, *, max_bytes: int = MAX_PDF_BYTES, max_attachment_bytes: int = MAX_ATTACHMENT_BYTES
) -> dict[str, bytes]:
    """{filename: bytes} of the PDF's embedded files (document-level EmbeddedFiles name tree).

    Refuses (AttachmentError) input that is not bytes, larger than max_bytes, not a PDF, encrypted
    or unreadable, and attachments larger than max_attachment_bytes."""
    if not isinstance(pdf, bytes | bytearray | memoryview):
        raise AttachmentError(f"expected the PDF's bytes, got {type(pdf).__name__}")
    pdf = bytes(pdf)
    if len(pdf) > max_bytes:
        raise AttachmentError(f"PDF is {len(pdf)} bytes; the limit is {max_bytes} bytes")
    if b"%PDF-" not in pdf[:1024]:
        raise AttachmentError("not a PDF (no %PDF- header)")
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(io.BytesIO(pdf), strict=False)
        if reader.is_encrypted:
            raise AttachmentError("encrypted PDFs are not supported")
        out: dict[str, bytes] = {}
        for i, (name, datas) in enumerate(reader.attachments.items()):
            if i >= MAX_ATTACHMENTS:
                raise AttachmentError(f"more than {MAX_ATTACHMENTS} attachments")
            data = datas[0] if datas else b""
            if len(data) > max_attachment_bytes:
                raise AttachmentError(f"attachment {name!r} is larger than {max_attachment_bytes} bytes")
            out[name] = data
        return out
    except AttachmentError:
        raise
    except (
        PyPdfError,
        ValueError,
        KeyError,
        IndexError,
        TypeError,
        AttributeError,
        RecursionError,
        OSError,
    ) as e:
        raise AttachmentError(f"unreadable PDF: {e}") from None
