"""What the designer's pages share: the design of the URL, in the organization of the request; the
pixel size of an uploaded picture."""

from __future__ import annotations

import io

from django.shortcuts import get_object_or_404
from PIL import Image

from ..models import Design


def design_for(request, public_id) -> Design:
    """The organization's design named in the URL (404 if it has none by that id)."""
    return get_object_or_404(
        Design.objects.select_related("current"), organization=request.organization, public_id=public_id
    )


def pixels(data: bytes, kind: str) -> tuple[int, int]:
    """Width and height of an uploaded image ((0, 0) for a PDF or a picture that cannot be read)."""
    if kind == "application/pdf":
        return (0, 0)
    try:
        with Image.open(io.BytesIO(data)) as im:
            return im.size
    except OSError:
        return (0, 0)
