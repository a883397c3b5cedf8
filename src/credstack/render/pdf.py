"""A small PDF 1.7 writer: just what certificates need.

Objects are Python values (dict, list, int, float, bool, None, Name, bytes = string, Ref, Raw);
streams are Flate-compressed. Fonts are embedded as CID fonts (Identity-H) with subsets made by
HarfBuzz, a ToUnicode CMap, and widths; images as XObjects; files as EmbeddedFiles + /AF.
"""

from __future__ import annotations

import hashlib
import threading
import zlib
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from .bounded import Bounded
from .fonts import Face


class Name(str):
    """A PDF name (/Foo)."""


@dataclass(frozen=True)
class Ref:
    num: int


@dataclass(frozen=True)
class Raw:
    data: bytes


@dataclass
class Stream:
    dict: dict[str, Any]
    data: bytes


_NAME_OK = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.+*")


_NAMES: dict[str, bytes] = {}  # a name's bytes, remembered (keys repeat in every document)
_NAMES_MAX = 4096  # subset font names are new in most documents: not kept past this


def _name(s: str) -> bytes:
    out = _NAMES.get(s)
    if out is None:
        b = s.encode("utf-8")
        out = b"/" + b"".join(bytes([c]) if c in _NAME_OK else b"#%02X" % c for c in b)
        if len(_NAMES) < _NAMES_MAX:
            _NAMES[s] = out
    return out


def _string(b: bytes) -> bytes:
    return (
        b"("
        + b.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)").replace(b"\r", b"\\r")
        + b")"
    )


def text_string(s: str) -> bytes:
    """A PDF text string: PDFDocEncoding-safe ASCII as is, else UTF-16BE with BOM."""
    if s.isascii():
        return s.encode("ascii")
    return b"\xfe\xff" + s.encode("utf-16-be")


def num(x: float) -> str:
    if isinstance(x, int):
        return str(x)
    s = f"{x:.4f}".rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


def serialize(obj: object, offset: int = 0) -> bytes:
    """`offset` renumbers Refs (used for object snapshots copied into a document)."""
    t = type(obj)  # the common exact types first; subclasses go through the checks below
    if t is Name:
        return _name(obj)  # type: ignore[arg-type]
    if t is int:
        return b"%d" % obj  # type: ignore[str-format]
    if t is Ref:
        return b"%d 0 R" % (obj.num + offset)  # type: ignore[attr-defined]
    if t is dict:
        return (
            b"<<"
            + b"".join(_name(k) + b" " + serialize(v, offset) for k, v in obj.items())  # type: ignore[attr-defined]
            + b">>"
        )
    if isinstance(obj, Name):
        return _name(obj)
    if isinstance(obj, Ref):
        return b"%d 0 R" % (obj.num + offset)
    if isinstance(obj, dict):
        return b"<<" + b"".join(_name(k) + b" " + serialize(v, offset) for k, v in obj.items()) + b">>"
    if isinstance(obj, list | tuple):
        return b"[" + b" ".join(serialize(v, offset) for v in obj) + b"]"
    if isinstance(obj, bool):
        return b"true" if obj else b"false"
    if isinstance(obj, int | float):
        return num(obj).encode()
    if isinstance(obj, bytes):
        return _string(obj)
    if isinstance(obj, str):
        return _string(text_string(obj))
    if isinstance(obj, Raw):
        return obj.data
    if obj is None:
        return b"null"
    raise TypeError(f"cannot write {type(obj).__name__} into a PDF")


class Writer:
    def __init__(self) -> None:
        self._objs: list[bytes | None] = [None]  # object 0 is the free head

    def reserve(self) -> Ref:
        self._objs.append(None)
        return Ref(len(self._objs) - 1)

    def put(self, ref: Ref, obj: object, offset: int = 0) -> Ref:
        if isinstance(obj, Stream):
            d = dict(obj.dict)
            d["Length"] = len(obj.data)
            self._objs[ref.num] = serialize(d, offset) + b"\nstream\n" + obj.data + b"\nendstream"
        else:
            self._objs[ref.num] = serialize(obj, offset)
        return ref

    def add(self, obj: object) -> Ref:
        return self.put(self.reserve(), obj)

    def stream(self, data: bytes, d: dict[str, Any] | None = None, compress: bool = True) -> Ref:
        return self.add(compressed(data, d, compress))

    def add_snapshot(self, objs: list[Any]) -> list[Ref]:
        """Copy a list of objects whose Refs index that list (see pdfimport) into this document."""
        base = len(self._objs)
        refs = [self.reserve() for _ in objs]
        for r, o in zip(refs, objs, strict=True):
            self.put(r, o, offset=base)
        return refs

    def finish(self, root: Ref, info: Ref | None) -> bytes:
        out = [b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"]
        pos = len(out[0])
        offsets = [0]
        for i in range(1, len(self._objs)):
            body = self._objs[i]
            if body is None:
                body = b"null"
            chunk = b"%d 0 obj\n" % i + body + b"\nendobj\n"
            offsets.append(pos)
            out.append(chunk)
            pos += len(chunk)
        digest = hashlib.md5(b"".join(out[1:]), usedforsecurity=False).hexdigest().encode()
        xref = [b"xref\n0 %d\n0000000000 65535 f \n" % len(offsets)]
        xref += [b"%010d 00000 n \n" % o for o in offsets[1:]]
        trailer = {"Size": len(offsets), "Root": root, "ID": [Raw(b"<" + digest + b">")] * 2}
        if info is not None:
            trailer["Info"] = info
        out += xref
        out.append(b"trailer\n" + serialize(trailer) + b"\nstartxref\n%d\n%%%%EOF\n" % pos)
        return b"".join(out)


# ---- fonts ---------------------------------------------------------------------------------


class FontUse:
    """Glyphs of one face used in one document; embedded at the end."""

    def __init__(self, face: Face, res_name: str) -> None:
        self.face = face
        self.res_name = res_name
        self.glyph_text: dict[int, str] = {}  # old gid -> text (first seen)
        self.new: dict[int, int] | None = None

    def use(self, gids: Sequence[int], texts: Sequence[str]) -> None:
        gt = self.glyph_text
        for g, t in zip(gids, texts, strict=True):
            if g not in gt or (not gt[g] and t):
                gt[g] = t

    def embed(self, w: Writer, ref: Ref) -> None:
        """Write the font (Type 0 at ``ref``, then its program, descriptor, CID font and ToUnicode
        map) and set ``new`` (old -> new glyph id). The same face with the same glyphs standing for
        the same text gives the same objects: made once (subset, widths, compressed streams) and
        copied into every document after that (:data:`EMBEDDED`)."""
        gids = tuple(sorted(self.glyph_text))
        texts = tuple(self.glyph_text[g] for g in gids)
        font = EMBEDDED.get_or_make(
            (self.face.filename, gids, texts), lambda: _embedded_font(self.face, gids, texts)
        )
        self.new = font.new
        refs = [w.reserve() for _ in font.objs]
        for r, obj in zip(refs, font.objs, strict=True):
            w.put(r, obj, offset=refs[0].num)
        w.put(ref, font.type0, offset=refs[0].num)


@dataclass(frozen=True)
class EmbeddedFont:
    """A subset font ready to copy into a document: ``objs`` (program, descriptor, CID font,
    ToUnicode) refer to each other by their index in the list; ``type0`` is the font's dictionary."""

    new: dict[int, int]
    objs: tuple[Any, ...]
    type0: dict[str, Any]
    size: int  # bytes held (the two streams), for the cache's bound


# Embedded fonts by (font file, glyph ids, their text): the bundled fonts never change while a process
# runs, and the key holds the exact glyphs and text, nothing per credential or per database row.
EMBEDDED: Bounded[tuple[str, tuple[int, ...], tuple[str, ...]], EmbeddedFont] = Bounded(
    entries=256, max_bytes=16 * 1024 * 1024, size=lambda font: font.size
)


def _embedded_font(face: Face, gids: tuple[int, ...], texts: tuple[str, ...]) -> EmbeddedFont:
    program, new = face.subset(gids)
    tag = "".join(
        chr(65 + b % 26) for b in hashlib.sha1(repr(list(gids)).encode(), usedforsecurity=False).digest()[:6]
    )
    base = Name(f"{tag}+{face.name}")
    m = face.metrics
    flags = 4 | (64 if m["italic_angle"] else 0)
    desc: dict[str, Any] = {
        "Type": Name("FontDescriptor"),
        "FontName": base,
        "Flags": flags,
        "FontBBox": m["bbox"],
        "ItalicAngle": m["italic_angle"],
        "Ascent": m["ascent"],
        "Descent": m["descent"],
        "CapHeight": m["cap_height"],
        "StemV": 80,
    }
    if face.is_cff:
        file = compressed(program, {"Subtype": Name("CIDFontType0C")})
        desc["FontFile3"] = Ref(0)
        subtype = "CIDFontType0"
    else:
        file = compressed(program, {"Length1": len(program)})
        desc["FontFile2"] = Ref(0)
        subtype = "CIDFontType2"
    k = 1000.0 / face.upem
    # [new [width] new [width] ...], written once here rather than as nested lists per document
    widths = Raw(
        b"[" + b" ".join(b"%d [%d]" % (new[old], round(face.advance(old) * k)) for old in gids) + b"]"
    )
    cid: dict[str, Any] = {
        "Type": Name("Font"),
        "Subtype": Name(subtype),
        "BaseFont": base,
        "CIDSystemInfo": {"Registry": b"Adobe", "Ordering": b"Identity", "Supplement": 0},
        "FontDescriptor": Ref(1),
        "W": widths,
        "DW": 0,
    }
    if not face.is_cff:
        cid["CIDToGIDMap"] = Name("Identity")
    tounicode = compressed(_tounicode(new, zip(gids, texts, strict=True)))
    type0 = {
        "Type": Name("Font"),
        "Subtype": Name("Type0"),
        "BaseFont": base,
        "Encoding": Name("Identity-H"),
        "DescendantFonts": [Ref(2)],
        "ToUnicode": Ref(3),
    }
    return EmbeddedFont(new, (file, desc, cid, tounicode), type0, len(file.data) + len(tounicode.data))


def compressed(data: bytes, d: dict[str, Any] | None = None, compress: bool = True) -> Stream:
    """A stream object as :meth:`Writer.stream` writes it (Flate-compressed past 64 bytes), not yet in
    a document."""
    d = dict(d or {})
    if compress and len(data) > 64:
        data = zlib.compress(data, 6)
        d["Filter"] = Name("FlateDecode")
    return Stream(d, data)


class _Prefixes:
    """Compressors that have taken a page's fixed beginning, by those bytes (few, each holding zlib's
    ~270 KB of state: at most ``entries``)."""

    def __init__(self, entries: int) -> None:
        self.entries = entries
        self.d: OrderedDict[bytes, tuple[bytes, Any]] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, prefix: bytes) -> tuple[bytes, Any]:
        with self.lock:
            hit = self.d.get(prefix)
            if hit is not None:
                self.d.move_to_end(prefix)
                return hit[0], hit[1].copy()
        co = zlib.compressobj(6)
        head = co.compress(prefix) + co.flush(zlib.Z_SYNC_FLUSH)
        with self.lock:
            self.d[prefix] = (head, co)
            while len(self.d) > self.entries:
                self.d.popitem(last=False)
            return head, co.copy()

    def clear(self) -> None:
        with self.lock:
            self.d.clear()


PREFIXES = _Prefixes(entries=16)
PREFIX_MIN = 1024  # shorter fixed beginnings are compressed with the rest


def deflated_after(prefix: bytes, rest: bytes) -> Stream:
    """A Flate stream of ``prefix + rest`` whose ``prefix`` part was compressed once per process: the
    compressor that took it (flushed to a byte boundary, its window kept) is copied and given ``rest``.
    One zlib stream; it inflates to exactly ``prefix + rest``."""
    if len(prefix) < PREFIX_MIN:
        return compressed(prefix + rest)
    head, co = PREFIXES.get(prefix)
    return Stream({"Filter": Name("FlateDecode")}, head + co.compress(rest) + co.flush())


def _tounicode(new: dict[int, int], glyph_text: Iterable[tuple[int, str]]) -> bytes:
    pairs = [(new[g], t) for g, t in glyph_text if t and g in new]
    pairs.sort()
    lines = [
        b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap",
        b"/CIDSystemInfo <</Registry (Adobe) /Ordering (UCS) /Supplement 0>> def",
        b"/CMapName /Adobe-Identity-UCS def /CMapType 2 def",
        b"1 begincodespacerange <0000> <FFFF> endcodespacerange",
    ]
    for i in range(0, len(pairs), 100):
        chunk = pairs[i : i + 100]
        lines.append(b"%d beginbfchar" % len(chunk))
        lines += [b"<%04X> <%s>" % (g, t.encode("utf-16-be").hex().upper().encode()) for g, t in chunk]
        lines.append(b"endbfchar")
    lines.append(b"endcmap CMapName currentdict /CMap defineresource pop end end")
    return b"\n".join(lines)
