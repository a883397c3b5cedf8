"""A credential's certificate as an image: the picture at the top of its public page and the card a shared
link shows. Drawn by the same renderer as the PDF (so they carry the same "REVOKED"/"SUSPENDED" band),
straight at their size (``render.rasterize_to_fit``)."""

from __future__ import annotations

import hashlib
import io
import logging

from django.conf import settings
from django.core.files.storage import default_storage
from PIL import Image

from credstack.atomic_storage import save_atomic
from credstack.render import rasterize_to_fit

from .files import brand_color, certificate_pdf, stamp_for
from .models import Credential

logger = logging.getLogger(__name__)

# the certificate as an image: at the top of its page (1200 px wide, sharp on a phone's 3x screen at
# 390 px) and as the OpenGraph/Twitter card (1200x630, what LinkedIn, X and Facebook show of a link)
IMAGE_WIDTH = 1200
OG_SIZE = (1200, 630)
# zlib level of the certificate images: 3 writes a 1200-pixel certificate in about half the time of the
# default 6, for ~7 % more bytes (benchmarks/RESULTS.md, certificate images)
PNG_LEVEL = 3


def certificate_image(credential: Credential, variant: str = "page") -> bytes:
    """The certificate's first page as a PNG, drawn by the same renderer as the PDF (so it carries the
    same "REVOKED"/"SUSPENDED" band); with ``CREDSTACK_KEEP_CERTIFICATES`` kept in storage beside the PDF
    under the same state-bearing name.
    ``variant``: ``page`` (the certificate alone) or ``og`` (centred on the brand colour, 1200x630)."""
    if variant not in ("page", "og"):
        raise ValueError(f"unknown certificate image {variant!r}")
    digest = hashlib.sha256(credential.document.encode("utf-8")).hexdigest()[:16]
    stamp = stamp_for(credential)
    marked = f"-{stamp.lower()}" if stamp else ""
    name = f"certificates/{credential.public_id}-{digest}{marked}-{variant}.png"
    if not settings.CREDSTACK_KEEP_CERTIFICATES:
        # nothing stored per credential (decision 0048): drawn on request, cached by browsers and CDNs
        # through the response's validators
        return _draw_image(certificate_pdf(credential), variant, brand_color(credential.organization))
    try:
        if default_storage.exists(name):
            with default_storage.open(name, "rb") as fh:
                data = fh.read()
            if data.startswith(b"\x89PNG") and data.endswith(b"IEND\xaeB`\x82"):
                return data
    except OSError:
        logger.exception("could not read the cached certificate image %s (drawing it again)", name)
    image = _draw_image(certificate_pdf(credential), variant, brand_color(credential.organization))
    try:
        save_atomic(default_storage, name, image)
    except OSError:
        logger.exception("could not store the certificate image %s (served without caching it)", name)
    return image


def _draw_image(pdf: bytes, variant: str, brand: str) -> bytes:
    """The page drawn straight at the image's size (no resizing of pixels drawn at another size)."""
    if variant == "page":
        out_image = rasterize_to_fit(pdf, IMAGE_WIDTH, draw_annots=False).convert("RGB")
    else:
        width, height = OG_SIZE
        margin = 28
        fitted = rasterize_to_fit(pdf, width - 2 * margin, height - 2 * margin, draw_annots=False)
        out_image = Image.new("RGB", OG_SIZE, brand)
        out_image.paste(fitted.convert("RGB"), ((width - fitted.width) // 2, (height - fitted.height) // 2))
    out = io.BytesIO()
    out_image.save(out, "PNG", compress_level=PNG_LEVEL)
    return out.getvalue()
