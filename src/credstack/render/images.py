"""Uploaded images (PNG/JPEG) and PDFs (first page) made into PDF XObjects, cached per content.

A design's background, logo and signatures are the same bytes for thousands of certificates:
each is decoded and compressed once per process (an LRU keyed by the bytes themselves), then
copied into every document as ready-made stream objects.
"""

from __future__ import annotations

import io
import threading
import zlib
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from .pdf import Name, Ref, Stream, Writer

MAX_IMAGE_BYTES = 20 * 1024 * 1024
MAX_PIXELS = 40_000_000
MAX_SIDE = 3508  # A4 long side at 300 dpi: more is never visible on a certificate
MAX_PDF_BYTES = 20 * 1024 * 1024


class AssetError(ValueError):
    """An uploaded asset cannot be used (wrong type, too large, unreadable)."""


def sniff(data: bytes) -> str | None:
    if data[:8] == b"\x89PNG\r\n\x1a\n":
        return "image/png"
    if data[:3] == b"\xff\xd8\xff":
        return "image/jpeg"
    if data[:1024].lstrip()[:5] == b"%PDF-" or b"%PDF-" in data[:1024]:
        return "application/pdf"
    return None


@dataclass
class ImageX:
    width: int
    height: int
    objs: list[Any]  # snapshot: [image stream, optional smask stream]; Refs index this list


T = TypeVar("T")


class _LRU(Generic[T]):
    def __init__(self, size: int) -> None:
        self.size = size
        self.d: OrderedDict[bytes, T] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: bytes, make: Callable[[], T]) -> T:
        with self.lock:
            if key in self.d:
                self.d.move_to_end(key)
                return self.d[key]
        val = make()
        with self.lock:
            self.d[key] = val
            while len(self.d) > self.size:
                self.d.popitem(last=False)
        return val


_images: _LRU[ImageX] = _LRU(64)
_forms: _LRU[FormX] = _LRU(16)


def image_xobject(data: bytes) -> ImageX:
    return _images.get(data, lambda: _make_image(data))


def _make_image(data: bytes) -> ImageX:
    from PIL import Image, UnidentifiedImageError  # Pillow: loaded only when an image is decoded

    kind = sniff(data)
    if kind not in ("image/png", "image/jpeg"):
        raise AssetError("not a PNG or JPEG image")
    if len(data) > MAX_IMAGE_BYTES:
        raise AssetError(f"image larger than {MAX_IMAGE_BYTES // (1024 * 1024)} MB")
    try:
        im: Image.Image = Image.open(io.BytesIO(data))
        if im.width * im.height > MAX_PIXELS:
            raise AssetError(f"image of {im.width}x{im.height} pixels is too large")
        if kind == "image/jpeg" and im.mode in ("L", "RGB") and max(im.size) <= MAX_SIDE:
            cs = "DeviceGray" if im.mode == "L" else "DeviceRGB"
            d = {
                "Type": Name("XObject"),
                "Subtype": Name("Image"),
                "Width": im.width,
                "Height": im.height,
                "ColorSpace": Name(cs),
                "BitsPerComponent": 8,
                "Filter": Name("DCTDecode"),
            }
            return ImageX(im.width, im.height, [Stream(d, data)])
        im.load()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as e:
        raise AssetError(f"unreadable image: {e}") from None
    if max(im.size) > MAX_SIDE:
        im.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    has_alpha = im.mode in ("RGBA", "LA", "PA") or (im.mode == "P" and "transparency" in im.info)
    alpha = None
    if has_alpha:
        im = im.convert("RGBA")
        alpha = im.getchannel("A")
        if alpha.getextrema() == (255, 255):
            alpha = None
        im = im.convert("RGB")
    elif im.mode not in ("L", "RGB"):
        im = im.convert("RGB")
    cs = "DeviceGray" if im.mode == "L" else "DeviceRGB"
    d = {
        "Type": Name("XObject"),
        "Subtype": Name("Image"),
        "Width": im.width,
        "Height": im.height,
        "ColorSpace": Name(cs),
        "BitsPerComponent": 8,
        "Filter": Name("FlateDecode"),
    }
    objs: list[Any] = [Stream(d, zlib.compress(im.tobytes(), 6))]
    if alpha is not None:
        sd = {
            "Type": Name("XObject"),
            "Subtype": Name("Image"),
            "Width": im.width,
            "Height": im.height,
            "ColorSpace": Name("DeviceGray"),
            "BitsPerComponent": 8,
            "Filter": Name("FlateDecode"),
        }
        objs.append(Stream(sd, zlib.compress(alpha.tobytes(), 6)))
        d["SMask"] = Ref(1)
    return ImageX(im.width, im.height, objs)


def add_image(w: Writer, img: ImageX) -> Ref:
    return w.add_snapshot(img.objs)[0]


# ---- PDF page as a form XObject ----------------------------------------------------------------


@dataclass
class FormX:
    width: float
    height: float
    objs: list[Any]  # objs[0] is the form XObject (BBox = the page box, in its own units)


def pdf_form(data: bytes) -> FormX:
    return _forms.get(data, lambda: _make_form(data))


def _make_form(data: bytes) -> FormX:
    from pypdf import PdfReader  # pypdf: loaded only for PDF backgrounds
    from pypdf.errors import PyPdfError  # pypdf: loaded only for PDF backgrounds
    from pypdf.generic import (  # pypdf: loaded only for PDF backgrounds
        ArrayObject,
        BooleanObject,
        ByteStringObject,
        DictionaryObject,
        FloatObject,
        IndirectObject,
        NameObject,
        NullObject,
        NumberObject,
        StreamObject,
        TextStringObject,
    )

    if len(data) > MAX_PDF_BYTES:
        raise AssetError(f"PDF larger than {MAX_PDF_BYTES // (1024 * 1024)} MB")
    if sniff(data) != "application/pdf":
        raise AssetError("not a PDF")
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise AssetError("encrypted PDFs cannot be used as a background")
        page = reader.pages[0]
        if page.get("/Rotate", 0) % 360:
            page.transfer_rotation_to_content()
        box = [float(v) for v in page.cropbox]
        content = page.get_contents()
        content_bytes = content.get_data() if content is not None else b""
        resources = page.get("/Resources")
        resources = resources.get_object() if resources is not None else DictionaryObject()

        objs: list[Any] = [None]
        seen: dict[tuple[int, int], int] = {}

        def conv(o: Any) -> Any:
            if isinstance(o, IndirectObject):
                key = (o.idnum, o.generation)
                if key not in seen:
                    seen[key] = len(objs)
                    objs.append(None)
                    objs[seen[key]] = conv_direct(o.get_object())
                return Ref(seen[key])
            return conv_direct(o)

        def conv_direct(o: Any) -> Any:
            if isinstance(o, StreamObject):
                d = {str(k)[1:]: conv(v) for k, v in o.items() if k not in ("/Length",)}
                return Stream(d, o._data)
            if isinstance(o, DictionaryObject):
                return {str(k)[1:]: conv(v) for k, v in o.items()}
            if isinstance(o, ArrayObject):
                return [conv(v) for v in o]
            if isinstance(o, NameObject):
                return Name(str(o)[1:])
            if isinstance(o, BooleanObject):
                return bool(o)
            if isinstance(o, NumberObject):
                return int(o)
            if isinstance(o, FloatObject):
                return float(o)
            if isinstance(o, ByteStringObject):
                return bytes(o)
            if isinstance(o, TextStringObject):
                return o.get_original_bytes()
            if isinstance(o, NullObject) or o is None:
                return None
            raise AssetError(f"unsupported object in background PDF: {type(o).__name__}")

        res = conv_direct(resources)
        w, h = box[2] - box[0], box[3] - box[1]
        form = {
            "Type": Name("XObject"),
            "Subtype": Name("Form"),
            "BBox": box,
            "Resources": res,
            "Filter": Name("FlateDecode"),
        }
        objs[0] = Stream(form, zlib.compress(content_bytes, 6))
        return FormX(w, h, objs)
    except AssetError:
        raise
    except (PyPdfError, ValueError, KeyError, IndexError, TypeError, AttributeError, RecursionError) as e:
        raise AssetError(f"unreadable PDF: {e}") from None


def form_matrix(form: FormX, width: float, height: float) -> list[float]:
    box = form.objs[0].dict["BBox"]
    sx, sy = width / form.width, height / form.height
    return [sx, 0, 0, sy, -box[0] * sx, -box[1] * sy]
