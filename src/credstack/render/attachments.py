"""Reading the files attached to a certificate PDF (the signed credential travels inside it)."""

from __future__ import annotations

import io
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pypdf import PdfReader

MAX_PDF_BYTES = 25 * 1024 * 1024
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
MAX_ATTACHMENTS = 64


class AttachmentError(ValueError):
    """The input is not a PDF we are willing to read, or its attachments cannot be read."""


def _reader(pdf: bytes, max_bytes: int) -> PdfReader:
    if not isinstance(pdf, bytes | bytearray | memoryview):
        raise AttachmentError(f"expected the PDF's bytes, got {type(pdf).__name__}")
    pdf = bytes(pdf)
    if len(pdf) > max_bytes:
        raise AttachmentError(f"PDF is {len(pdf)} bytes; the limit is {max_bytes} bytes")
    if b"%PDF-" not in pdf[:1024]:
        raise AttachmentError("not a PDF (no %PDF- header)")
    from pypdf import PdfReader  # pypdf: loaded only when a PDF is read

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    with _unreadable():
        reader = PdfReader(io.BytesIO(pdf), strict=False)
        if reader.is_encrypted:
            raise AttachmentError("encrypted PDFs are not supported")
    return reader


@contextmanager
def _unreadable() -> Iterator[None]:
    from pypdf.errors import PyPdfError  # pypdf: loaded only when a PDF is read

    try:
        yield
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


def iter_attachments(
    pdf: bytes,
    *,
    max_bytes: int = MAX_PDF_BYTES,
    max_attachment_bytes: int = MAX_ATTACHMENT_BYTES,
    order: Callable[[str], Any] | None = None,
) -> Iterator[tuple[str, bytes | AttachmentError]]:
    """(filename, bytes) of the PDF's embedded files, one at a time and in ``order`` of their names, so
    that a reader looking for one file holds one file: an attachment is decompressed only when its
    turn comes, and never past ``max_attachment_bytes`` (pypdf stops the decompression there). An
    attachment that is too large or unreadable comes as (filename, AttachmentError) and the next one
    follows; a PDF that cannot be read at all raises AttachmentError."""
    from pypdf import apply_configuration  # pypdf: loaded only when a PDF is read
    from pypdf.errors import LimitReachedError  # pypdf: loaded only when a PDF is read

    reader = _reader(pdf, max_bytes)
    with _unreadable():
        files = reader.attachments
        names = sorted(files.keys(), key=order) if order else list(files.keys())
    if len(names) > MAX_ATTACHMENTS:
        raise AttachmentError(f"more than {MAX_ATTACHMENTS} attachments")
    cap = max_attachment_bytes + 1
    limits = {name: cap for name in _OUTPUT_LIMITS}
    for name in names:
        try:
            with apply_configuration(None, **limits), _unreadable():
                datas = files[name]
                data = datas[0] if datas else b""
        except (LimitReachedError, AttachmentError) as exc:
            if isinstance(exc, LimitReachedError) or "limit" in str(exc).lower():
                yield (
                    name,
                    AttachmentError(f"attachment {name!r} is larger than {max_attachment_bytes} bytes"),
                )
            else:
                yield name, exc
            continue
        if len(data) > max_attachment_bytes:
            yield name, AttachmentError(f"attachment {name!r} is larger than {max_attachment_bytes} bytes")
            continue
        yield name, data


# Every decompression limit pypdf has: an attachment's stream is decoded by one of these filters.
_OUTPUT_LIMITS = (
    "maximum_declared_stream_length",
    "array_based_stream_maximum_output_length",
    "jbig2_maximum_output_length",
    "lzw_maximum_output_length",
    "run_length_maximum_output_length",
    "zlib_maximum_output_length",
    "brotli_maximum_output_length",
)


def extract_attachments(
    pdf: bytes, *, max_bytes: int = MAX_PDF_BYTES, max_attachment_bytes: int = MAX_ATTACHMENT_BYTES
) -> dict[str, bytes]:
    """{filename: bytes} of the PDF's embedded files (document-level EmbeddedFiles name tree).

    Refuses (AttachmentError) input that is not bytes, larger than max_bytes, not a PDF, encrypted
    or unreadable, and attachments larger than max_attachment_bytes."""
    out: dict[str, bytes] = {}
    for name, data in iter_attachments(pdf, max_bytes=max_bytes, max_attachment_bytes=max_attachment_bytes):
        if isinstance(data, AttachmentError):
            raise data
        out[name] = data
    return out
