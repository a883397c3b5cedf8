"""Checks on uploaded files: size, what the bytes really are (not what the name says), and SVG safety.

Every refusal is a ValidationError with a message a person can act on; nothing is stored before the
checks pass.
"""

from __future__ import annotations

import io

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from credstack.render.svg_sanitise import UnsafeSvg
from credstack.render.svg_sanitise import check_svg as check_svg_allowlist

from .svg_messages import refusal

MB = 1024 * 1024
MAX_IMAGE = 5 * MB
MAX_BACKGROUND = 20 * MB
MAX_SPREADSHEET = 20 * MB

EXTENSIONS = {
    "image/png": (".png",),
    "image/jpeg": (".jpg", ".jpeg"),
    "application/pdf": (".pdf",),
    "image/svg+xml": (".svg",),
    "text/csv": (".csv", ".txt"),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": (".xlsx",),
}
LABELS = {
    "image/png": "PNG",
    "image/jpeg": "JPEG",
    "application/pdf": "PDF",
    "image/svg+xml": "SVG",
    "text/csv": "CSV",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "XLSX",
}


def _human(n: int) -> str:
    return f"{n / MB:.1f} MB" if n >= MB else f"{n / 1024:.0f} KB"


def body_too_large(request, max_bytes: int) -> str | None:
    """Checked before Django reads the request body: a message if the upload is over the limit."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return _("the request is malformed")
    if length > max_bytes + 64 * 1024:  # room for the other form fields
        return _("the file is about %(size)s; the limit is %(limit)s. Nothing was saved.") % {
            "size": _human(length),
            "limit": _human(max_bytes),
        }
    return None


def sniff(data: bytes) -> str | None:
    head = data[:1024]
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if b"%PDF-" in head:
        return "application/pdf"
    if head.startswith(b"PK\x03\x04"):
        return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if text.startswith(b"<") and b"<svg" in data[:4096]:
        return "image/svg+xml"
    return None


def read_upload(upload, allowed: tuple[str, ...], max_bytes: int, field: str = "file") -> tuple[str, bytes]:
    """(content type, bytes) of an uploaded file, or a ValidationError naming the problem."""
    if upload is None:
        raise ValidationError({field: _("choose a file")})
    size = getattr(upload, "size", None)
    if size is not None and size > max_bytes:
        raise ValidationError(
            {
                field: _("%(name)s is %(size)s; the limit is %(limit)s. Nothing was saved.")
                % {"name": upload.name, "size": _human(size), "limit": _human(max_bytes)}
            }
        )
    data = upload.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise ValidationError(
            {
                field: _("%(name)s is larger than %(limit)s. Nothing was saved.")
                % {"name": upload.name, "limit": _human(max_bytes)}
            }
        )
    if not data:
        raise ValidationError({field: _("%(name)s is empty") % {"name": upload.name}})
    name = (upload.name or "").lower()
    kinds = ", ".join(LABELS[a] for a in allowed)
    if "text/csv" in allowed and name.endswith((".csv", ".txt")):
        if (really := sniff(data)) is not None:
            raise ValidationError(
                {
                    field: _("%(name)s is named .csv but is really a %(kind)s file")
                    % {"name": upload.name, "kind": LABELS[really]}
                }
            )
        return "text/csv", data
    kind = sniff(data)
    if kind not in allowed:
        message = (
            _("%(name)s is a %(kind)s file; upload %(kinds)s")
            if kind
            else _("%(name)s is not a file type credstack reads; upload %(kinds)s")
        )
        raise ValidationError(
            {field: message % {"name": upload.name, "kind": LABELS[kind] if kind else "", "kinds": kinds}}
        )
    if not name.endswith(EXTENSIONS[kind]):
        raise ValidationError(
            {
                field: _(
                    "%(name)s is really a %(kind)s file; its name says otherwise. Rename it or upload %(kinds)s."
                )
                % {"name": upload.name, "kind": LABELS[kind], "kinds": kinds}
            }
        )
    if kind in ("image/png", "image/jpeg"):
        _check_raster(data, upload.name, field)
    elif kind == "image/svg+xml":
        check_svg(data, upload.name, field)
    elif kind == "application/pdf":
        _check_pdf(data, upload.name, field)
    return kind, data


def _check_raster(data: bytes, name: str, field: str) -> None:
    from PIL import Image  # Pillow: loaded only to check an uploaded image

    try:
        with Image.open(io.BytesIO(data)) as im:
            if im.width * im.height > 40_000_000:
                raise ValidationError(
                    {
                        field: _("%(name)s is %(width)sx%(height)s pixels; at most 40 megapixels")
                        % {"name": name, "width": im.width, "height": im.height}
                    }
                )
            im.verify()
    except ValidationError:
        raise
    except Exception:
        raise ValidationError(
            {field: _("%(name)s is damaged: it cannot be read as an image") % {"name": name}}
        )


def _check_pdf(data: bytes, name: str, field: str) -> None:
    from pypdf import PdfReader  # pypdf: loaded only to check an uploaded PDF

    try:
        reader = PdfReader(io.BytesIO(data))
        if len(reader.pages) < 1:
            raise ValueError
        reader.pages[0].mediabox  # noqa: B018
    except Exception:
        raise ValidationError({field: _("%(name)s is damaged: it cannot be read as a PDF") % {"name": name}})


def check_svg(data: bytes, name: str = "image.svg", field: str = "file") -> None:
    """Refuse an SVG outside the allowlist of :mod:`credstack.render.svg_sanitise` (elements, attributes,
    no external reference of any kind, CSS parsed), its reason worded as a form error."""
    try:
        check_svg_allowlist(data)
    except UnsafeSvg as exc:
        raise ValidationError({field: refusal(name, exc)}) from None
