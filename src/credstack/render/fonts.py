"""The bundled fonts: Noto faces, fallback chains per family/weight/style, and subsetting.

Every face is loaded once per process (lazily) into a HarfBuzz face/font; shaping, metrics,
glyph outlines (for SVG badges) and subsetting for PDF embedding all go through HarfBuzz.
"""

from __future__ import annotations

import struct
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import uharfbuzz as hb

FONT_DIR = Path(__file__).parent / "fonts"

FAMILIES = ("sans", "serif")
WEIGHTS = ("regular", "bold")
STYLES = ("normal", "italic")

# (family, weight, style) -> Latin/Greek/Cyrillic face; other scripts fall back (below).
_PRIMARY = {
    ("sans", "regular", "normal"): "NotoSans-Regular.ttf",
    ("sans", "bold", "normal"): "NotoSans-Bold.ttf",
    ("sans", "regular", "italic"): "NotoSans-Italic.ttf",
    ("sans", "bold", "italic"): "NotoSans-Bold.ttf/",  # no bold italic shipped: bold, slanted
    ("serif", "regular", "normal"): "NotoSerif-Regular.ttf",
    ("serif", "bold", "normal"): "NotoSerif-Bold.ttf",
    ("serif", "regular", "italic"): "NotoSerif-Italic.ttf",
    ("serif", "bold", "italic"): "NotoSerif-Bold.ttf/",
}
# family -> weight -> faces tried in order after the primary one
_FALLBACKS = {
    "sans": {
        "regular": [
            "NotoSansArabic-Regular.ttf",
            "NotoSansHebrew-Regular.ttf",
            "NotoSansDevanagari-Regular.ttf",
            "NotoSansCJKsc-Regular.otf",
        ],
        "bold": [
            "NotoSansArabic-Bold.ttf",
            "NotoSansHebrew-Bold.ttf",
            "NotoSansDevanagari-Bold.ttf",
            "NotoSansCJKsc-Regular.otf*",
        ],
    },
    "serif": {
        "regular": [
            "NotoNaskhArabic-Regular.ttf",
            "NotoSerifHebrew-Regular.ttf",
            "NotoSerifDevanagari-Regular.ttf",
            "NotoSansCJKsc-Regular.otf",
        ],
        "bold": [
            "NotoNaskhArabic-Bold.ttf",
            "NotoSerifHebrew-Bold.ttf",
            "NotoSerifDevanagari-Bold.ttf",
            "NotoSansCJKsc-Regular.otf*",
        ],
    },
}
# A trailing "/" asks for a synthetic slant (bold italic is the bold face, slanted 12 degrees).
# A trailing "*" asks for synthetic emboldening (the CJK face ships in one weight to keep the
# package small; bold CJK is drawn with fill+stroke).

_LAYOUT_TABLES = (
    "GSUB",
    "GPOS",
    "GDEF",
    "BASE",
    "JSTF",
    "MATH",
    "DSIG",
    "kern",
    "morx",
    "mort",
    "feat",
    "VORG",
    "vhea",
    "vmtx",
    "meta",
    "STAT",
    "hdmx",
    "LTSH",
    "VDMX",
    "PCLT",
    "gasp",
    "name",
)


PREPROCESS_BIG_AFTER = 8  # subsets of a big (CJK) face before it is preprocessed


@dataclass(eq=False)
class Face:
    """One font file, loaded once."""

    filename: str
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @cached_property
    def data(self) -> bytes:
        return (FONT_DIR / self.filename).read_bytes()

    @cached_property
    def hb_face(self) -> hb.Face:
        return hb.Face(hb.Blob(self.data))

    @cached_property
    def hb_font(self) -> hb.Font:
        return hb.Font(self.hb_face)  # scale = upem: positions come out in font units

    @cached_property
    def subset_face(self) -> hb.Face:
        """The face preprocessed for subsetting: every subset after that takes tens of microseconds
        instead of 0.05-3 ms. Costs a few ms and little memory for most faces, but ~0.3 s and ~80 MB
        for the CJK face, which is therefore preprocessed only once a process has used it a few times
        (a worker issuing a batch), see subset()."""
        return hb.subset_preprocess(self.hb_face)

    _subsets: int = 0

    @cached_property
    def upem(self) -> int:
        return int(self.hb_face.upem)

    @property
    def name(self) -> str:
        return self.filename.rsplit(".", 1)[0]

    @cached_property
    def is_cff(self) -> bool:
        return "CFF " in self.hb_face.table_tags

    def _table(self, tag: str) -> bytes:
        return bytes(self.hb_face.reference_table(tag).data)

    @cached_property
    def metrics(self) -> dict[str, Any]:
        """PDF FontDescriptor numbers, in 1/1000 em."""
        head, hhea, os2, post = (self._table(t) for t in ("head", "hhea", "OS/2", "post"))
        k = 1000.0 / self.upem
        x0, y0, x1, y1 = struct.unpack(">hhhh", head[36:44])
        asc, desc = struct.unpack(">hh", hhea[4:8])
        cap = struct.unpack(">h", os2[88:90])[0] if len(os2) >= 90 else int(asc * 0.7)
        italic = struct.unpack(">i", post[4:8])[0] / 65536.0
        return {
            "bbox": [round(x0 * k), round(y0 * k), round(x1 * k), round(y1 * k)],
            "ascent": round(asc * k),
            "descent": round(desc * k),
            "cap_height": round(cap * k),
            "italic_angle": italic,
        }

    def has(self, cp: int) -> bool:
        return self.hb_font.get_nominal_glyph(cp) is not None

    def advance(self, gid: int) -> int:
        return int(self.hb_font.get_glyph_h_advance(gid))

    def subset(self, gids: Iterable[int]) -> tuple[bytes, dict[int, int]]:
        """Subset to exactly these glyphs (plus what composite glyphs need), no hinting, no layout.

        Returns (font program, old->new glyph id). For CFF faces the font program is the bare
        CID-keyed 'CFF ' table with an identity charset (CID = new glyph id), for TrueType the sfnt.
        """
        inp = hb.SubsetInput()
        inp.glyph_set.update(gids)
        inp.sets(hb.SubsetInputSets.UNICODE).clear()
        inp.sets(hb.SubsetInputSets.LAYOUT_FEATURE_TAG).clear()
        drop = inp.sets(hb.SubsetInputSets.DROP_TABLE_TAG)
        for tag in _LAYOUT_TABLES:
            drop.add(_tag(tag))
        inp.flags = (
            hb.SubsetFlags.NO_LAYOUT_CLOSURE
            | hb.SubsetFlags.NOTDEF_OUTLINE
            | hb.SubsetFlags.NO_HINTING
            | hb.SubsetFlags.CFF_IDENTITY_CHARSET
        )
        self._subsets += 1
        big = len(self.data) > 4_000_000
        sface = self.subset_face if not big or self._subsets > PREPROCESS_BIG_AFTER else self.hb_face
        with self._lock:  # a HarfBuzz face is safe to share, but keep subsetting serial per face
            plan = hb.SubsetPlan(sface, inp)
            mapping = dict(plan.old_to_new_glyph_mapping)
            out = plan.execute()
        sfnt = bytes(out.blob.data)
        if self.is_cff:
            sfnt = _sfnt_table(sfnt, b"CFF ")
        return sfnt, mapping


def _tag(s: str) -> int:
    b = s.encode("ascii").ljust(4)
    return (b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3]


def _sfnt_table(sfnt: bytes, tag: bytes) -> bytes:
    (num,) = struct.unpack(">H", sfnt[4:6])
    for i in range(num):
        rec = sfnt[12 + 16 * i : 28 + 16 * i]
        if rec[:4] == tag:
            off, length = struct.unpack(">II", rec[8:16])
            return sfnt[off : off + length]
    raise ValueError(f"no {tag!r} table")


_faces: dict[str, Face] = {}
_faces_lock = threading.Lock()


def face(filename: str) -> Face:
    f = _faces.get(filename)
    if f is None:
        with _faces_lock:
            f = _faces.setdefault(filename, Face(filename))
    return f


@dataclass(frozen=True, eq=False)
class FontChoice:
    face: Face
    synthetic_bold: bool = False
    synthetic_italic: bool = False


_chains: dict[tuple[str, str, str], list[FontChoice]] = {}


def chain(family: str = "sans", weight: str = "regular", style: str = "normal") -> list[FontChoice]:
    """Faces tried in order for each character of a text in this family/weight/style."""
    key = (family, weight, style)
    c = _chains.get(key)
    if c is None:
        names = [_PRIMARY[key], *_FALLBACKS[family][weight]]
        c = [FontChoice(face(n.rstrip("*/")), n.endswith("*"), n.endswith("/")) for n in names]
        _chains[key] = c
    return c


def warm_up(*, cjk: bool = False) -> None:
    """Load every face and prepare it for subsetting, once per process: call it when a worker starts
    so the first certificates are as fast as the rest. cjk=True also preprocesses the CJK face
    (+0.3 s, +80 MB) instead of waiting for it to be used a few times."""
    for path in all_font_files():
        f = face(path.name)
        f.hb_font  # noqa: B018
        if cjk or len(f.data) <= 4_000_000:
            f.subset_face  # noqa: B018


def all_font_files() -> list[Path]:
    return sorted(FONT_DIR.glob("*.[ot]tf"))
