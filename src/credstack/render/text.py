"""Text layout: bidi levels, font fallback, HarfBuzz shaping, fitting (shrink, then wrap).

A line goes through the Unicode Bidirectional Algorithm (python-bidi) to get an embedding level
per character, is cut into runs of one level and one font (the first face of the chain that has
the character), each run is shaped by HarfBuzz in its own direction, and the runs are put in
visual order (UBA rule L2). Arabic joining, Devanagari conjuncts and mark positioning are
HarfBuzz's work; the PDF gets glyph ids and positions plus the logical text (ActualText), so text
extraction and copy/paste give the characters in reading order.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import uharfbuzz as hb
from bidi import algorithm as _uba
from bidi import get_display as _get_display

from .fonts import Face, FontChoice

_RTL_CLASSES = frozenset({"R", "AL", "AN", "RLE", "RLO", "RLI", "FSI"})
_EXPLICIT = dict.fromkeys(map(ord, "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"))
# scripts whose letters join or form clusters: no letter-spacing inside their runs
_NO_TRACKING = frozenset(
    {
        "Arab",
        "Syrc",
        "Mong",
        "Nkoo",
        "Deva",
        "Beng",
        "Guru",
        "Gujr",
        "Orya",
        "Taml",
        "Telu",
        "Knda",
        "Mlym",
        "Sinh",
        "Thai",
        "Khmr",
        "Mymr",
        "Tibt",
    }
)


@dataclass
class Run:
    """Shaped glyphs of one font and one direction, positions in font units from the run's start."""

    font: FontChoice
    text: str  # logical order
    rtl: bool
    gids: list[int]
    xs: list[float]  # pen x (incl. x offset) of each glyph, visual order
    ys: list[float]  # y offset of each glyph
    advance: float  # total advance, font units
    glyph_text: list[str]  # text each glyph stands for (first glyph of a cluster), for ToUnicode

    def width(self, size: float) -> float:
        return self.advance * size / self.font.face.upem


@dataclass
class Line:
    runs: list[Run]  # visual order
    text: str  # logical order
    rtl: bool

    def width(self, size: float) -> float:
        return sum(r.width(size) for r in self.runs)


@dataclass
class Block:
    """A fitted text block: lines at one size."""

    lines: list[Line]
    size: float
    line_height: float  # in pt
    widths: list[float] = field(default_factory=list)

    @property
    def width(self) -> float:
        return max(self.widths, default=0.0)


def _is_rtl_text(text: str) -> bool:
    bd = unicodedata.bidirectional
    return any(bd(c) in _RTL_CLASSES for c in text)


_LEVELS_RE = re.compile(r"levels: \[(.*?)\]", re.S)
_LEVEL_RE = re.compile(r"Level\(\s*(\d+)")
_PARA_RE = re.compile(r"paragraphs: \[.*?level: Level\(\s*(\d+)", re.S)


def _rust_levels(text: str) -> tuple[int, list[int]] | None:
    """Levels from python-bidi's Rust core (the unicode-bidi crate: the full UBA, bracket pairs
    included). It exposes them only in its debug dump, one per UTF-8 byte: parsed, and checked."""
    try:
        dump = _get_display(text, base_dir=None, debug=True)
        m, p = _LEVELS_RE.search(dump), _PARA_RE.search(dump)
        per_byte = [int(x) for x in _LEVEL_RE.findall(m.group(1))] if m else []
        if not p or len(per_byte) != len(text.encode("utf-8")):
            return None
        levels, pos = [], 0
        for ch in text:
            levels.append(per_byte[pos])
            pos += len(ch.encode("utf-8"))
        return int(p.group(1)), levels
    except Exception:  # any change in the dump's shape: use the Python implementation
        return None


def _python_levels(text: str) -> tuple[int, list[int]]:
    """python-bidi's pure-Python UBA (no bracket-pair rule N0)."""
    storage = _uba.get_empty_storage()
    base = _uba.get_base_level(text)
    storage["base_level"] = base
    storage["base_dir"] = ("L", "R")[base]
    _uba.get_embedding_levels(text, storage)
    _uba.explicit_embed_and_overrides(storage)
    _uba.resolve_weak_types(storage)
    _uba.resolve_neutral_types(storage, False)
    _uba.resolve_implicit_levels(storage, False)
    return base, [c["level"] for c in storage["chars"]]


def bidi_levels(text: str) -> tuple[int, list[int]]:
    """(paragraph level, embedding level per character), Unicode Bidirectional Algorithm."""
    if not _is_rtl_text(text):
        return 0, [0] * len(text)
    base, levels = _rust_levels(text) or _python_levels(text)
    # L1: trailing whitespace goes back to the paragraph level
    i = len(text) - 1
    while i >= 0 and text[i].isspace():
        levels[i] = base
        i -= 1
    return base, levels


def _is_neutral(ch: str) -> bool:
    cat = unicodedata.category(ch)
    return cat[0] in "MPZS" or cat in ("Cf", "Nd") or ch in "\u200c\u200d"


# chain -> character -> the first face of the chain that has it (a few thousand characters at most
# in practice; emptied if it ever grows past _PICKS_MAX)
_PICKS: dict[tuple[FontChoice, ...], dict[str, FontChoice]] = {}
_PICKS_MAX = 50_000


def _first_face(fonts: tuple[FontChoice, ...], ch: str) -> FontChoice:
    picks = _PICKS.get(fonts)
    if picks is None:
        if len(_PICKS) > 64:
            _PICKS.clear()
        picks = _PICKS.setdefault(fonts, {})
    f = picks.get(ch)
    if f is None:
        cp = ord(ch)
        f = next((f for f in fonts if f.face.has(cp)), fonts[0])
        if len(picks) >= _PICKS_MAX:
            picks.clear()
        picks[ch] = f
    return f


def _assign_fonts(text: str, fonts: tuple[FontChoice, ...]) -> list[FontChoice]:
    """First face of the chain that has the character; neutrals stay with their neighbour's face."""
    out: list[FontChoice | None] = [None] * len(text)
    for i, ch in enumerate(text):
        if not _is_neutral(ch):
            out[i] = _first_face(fonts, ch)
    prev = None
    for i, ch in enumerate(text):  # neutrals: previous strong face if it has the glyph
        if out[i] is None:
            cp = ord(ch)
            if prev is not None and (prev.face.has(cp) or unicodedata.category(ch)[0] == "M"):
                out[i] = prev
        else:
            prev = out[i]
    nxt = None
    for i in range(len(text) - 1, -1, -1):  # leading neutrals: next face, else the chain
        if out[i] is None:
            cp = ord(text[i])
            if nxt is not None and nxt.face.has(cp):
                out[i] = nxt
            else:
                out[i] = next((f for f in fonts if f.face.has(cp)), fonts[0])
        nxt = out[i]
    return out  # type: ignore[return-value]


@lru_cache(maxsize=4096)
def _shape(font: FontChoice, text: str, rtl: bool, tracking: float) -> Run:
    f = font.face
    buf = hb.Buffer()
    buf.add_str(text)
    buf.guess_segment_properties()
    buf.direction = "rtl" if rtl else "ltr"
    buf.cluster_level = hb.BufferClusterLevel.MONOTONE_CHARACTERS
    hb.shape(f.hb_font, buf, {"kern": True, "liga": True})
    infos, positions = buf.glyph_infos, buf.glyph_positions
    script = buf.script or ""
    track = tracking * f.upem if tracking and script not in _NO_TRACKING else 0.0
    gids, xs, ys = [], [], []
    pen = 0.0
    n = len(infos)
    for k, (info, pos) in enumerate(zip(infos, positions, strict=True)):
        gids.append(info.codepoint)
        xs.append(pen + pos.x_offset)
        ys.append(pos.y_offset)
        pen += pos.x_advance
        # tracking between clusters only (not between a base and its marks), not after the last
        if track and k + 1 < n and infos[k + 1].cluster != info.cluster:
            pen += track
    gtext = _glyph_texts(f, text, [i.cluster for i in infos], gids)
    if rtl:  # extractors reverse RTL text character by character: pre-reverse ligatures' strings
        gtext = [t[::-1] if len(t) > 1 else t for t in gtext]
    return Run(font, text, rtl, gids, xs, ys, pen, gtext)


def _glyph_texts(face: Face, text: str, clusters: list[int], gids: list[int]) -> list[str]:
    """The characters each glyph stands for (ToUnicode). Clusters index characters (uharfbuzz
    feeds Python strings as code points). Within a cluster a glyph that is the nominal glyph of
    one of its characters gets that character; the rest go, in order, to the other glyphs; a
    ligature's leftover characters go to its first glyph."""
    starts = sorted(set(clusters))
    end_of = {c: (starts[i + 1] if i + 1 < len(starts) else len(text)) for i, c in enumerate(starts)}
    members: dict[int, list[int]] = {}
    for idx, c in enumerate(clusters):
        members.setdefault(c, []).append(idx)
    out = [""] * len(gids)
    for c, idxs in members.items():
        chars = list(text[c : end_of[c]])
        if len(idxs) == 1:
            out[idxs[0]] = "".join(chars)
            continue
        free = []
        for idx in idxs:
            g = gids[idx]
            hit = next(
                (i for i, ch in enumerate(chars) if ch and face.hb_font.get_nominal_glyph(ord(ch)) == g), None
            )
            if hit is None:
                free.append(idx)
            else:
                out[idx] = chars[hit]
                chars[hit] = ""
        rest = [ch for ch in chars if ch]
        for idx in free:
            if rest:
                out[idx] = rest.pop(0)
        if rest:
            first = (free or idxs)[0]
            out[first] += "".join(rest)
    return out


def shape_line(text: str, fonts: Sequence[FontChoice], tracking: float = 0.0) -> Line:
    """Shape one line of text (no wrapping) into runs in visual order. Shared: do not change it."""
    return _shape_line(text, tuple(fonts), tracking)


# a line depends only on its text, the chain (the bundled faces, fixed for the process) and the
# tracking: the fixed text of a design, and the prefixes wrapping tries, are shaped once
@lru_cache(maxsize=2048)
def _shape_line(text: str, fonts: tuple[FontChoice, ...], tracking: float) -> Line:
    text = text.translate(_EXPLICIT)
    if not text:
        return Line([], "", False)
    base, levels = bidi_levels(text)
    assigned = _assign_fonts(text, fonts)
    runs: list[tuple[int, FontChoice, int, int]] = []  # (level, font, start, end)
    start = 0
    for i in range(1, len(text) + 1):
        if i == len(text) or levels[i] != levels[start] or assigned[i] is not assigned[start]:
            runs.append((levels[start], assigned[start], start, i))
            start = i
    shaped = [(lvl, _shape(f, text[s:e], lvl % 2 == 1, tracking)) for lvl, f, s, e in runs]
    # L2: from the highest level down to the lowest odd level, reverse runs at that level or higher
    if any(lvl for lvl, _ in shaped):
        hi = max(lvl for lvl, _ in shaped)
        lo_odd = min((lvl for lvl, _ in shaped if lvl % 2), default=hi + 1)
        for level in range(hi, lo_odd - 1, -1):
            i = 0
            while i < len(shaped):
                if shaped[i][0] >= level:
                    j = i
                    while j < len(shaped) and shaped[j][0] >= level:
                        j += 1
                    shaped[i:j] = shaped[i:j][::-1]
                    i = j
                else:
                    i += 1
    return Line([r for _, r in shaped], text, base == 1)


# ---- line breaking ---------------------------------------------------------------------------


def _is_cjk(ch: str) -> bool:
    o = ord(ch)
    return (
        0x2E80 <= o <= 0x9FFF
        or 0xAC00 <= o <= 0xD7AF
        or 0xF900 <= o <= 0xFAFF
        or 0xFF00 <= o <= 0xFFEF
        or 0x20000 <= o <= 0x3FFFF
    )


_NO_BREAK_BEFORE = set("、。，．！？：；）」』】〕〉》〗〙〛」,.!?:;)]}%")


def break_points(text: str) -> list[int]:
    """Indices where a new line may start: after spaces, between CJK characters."""
    pts = []
    for i in range(1, len(text)):
        a, b = text[i - 1], text[i]
        if b.isspace():
            continue
        if a.isspace() or a in "-\u2010/" or ((_is_cjk(a) or _is_cjk(b)) and b not in _NO_BREAK_BEFORE):
            pts.append(i)
    return pts


def _cluster_points(text: str) -> list[int]:
    """Emergency breaks (a word wider than the box): between grapheme-ish clusters."""
    return [
        i
        for i in range(1, len(text))
        if unicodedata.category(text[i])[0] != "M"
        and text[i - 1] not in "\u094d\u200d"
        and text[i] not in "\u200c\u200d"
    ]


def wrap(
    text: str, fonts: Sequence[FontChoice], size: float, width: float, tracking: float = 0.0
) -> list[Line]:
    """Greedy wrap at break points; a word too wide for a line is cut between clusters."""
    lines: list[Line] = []
    rest = text.strip()
    while rest:
        line = shape_line(rest, fonts, tracking)
        if line.width(size) <= width:
            lines.append(line)
            break
        pts = break_points(rest)
        cut = _fit_prefix(rest, pts, fonts, size, width, tracking)
        if cut is None:
            cut = _fit_prefix(rest, _cluster_points(rest), fonts, size, width, tracking) or 1
        lines.append(shape_line(rest[:cut].rstrip(), fonts, tracking))
        rest = rest[cut:].lstrip()
    return lines


def _fit_prefix(
    text: str, pts: list[int], fonts: Sequence[FontChoice], size: float, width: float, tracking: float
) -> int | None:
    """The largest break point whose prefix fits (binary search: widths grow with the prefix)."""
    lo, hi, best = 0, len(pts) - 1, None
    while lo <= hi:
        mid = (lo + hi) // 2
        if shape_line(text[: pts[mid]].rstrip(), fonts, tracking).width(size) <= width:
            best, lo = pts[mid], mid + 1
        else:
            hi = mid - 1
    return best


def fit(
    text: str,
    fonts: Sequence[FontChoice],
    *,
    size: float,
    min_size: float,
    width: float,
    max_lines: int = 2,
    line_height: float = 1.2,
    max_height: float | None = None,
    tracking: float = 0.0,
    floor: float = 4.0,
) -> Block:
    """Lay text out in a box `width` pt wide: the nominal size if it fits on one line, else shrink
    down to min_size, else wrap (up to max_lines, at the largest size from min_size up that fits),
    else keep shrinking below min_size (never under `floor`) so the text never leaves its box.
    Sizes in pt. The block is shared by every call with the same arguments: do not change it."""
    return _fit(
        text, tuple(fonts), size, min_size, width, max_lines, line_height, max_height, tracking, floor
    )


# a design's fixed text (heading, issuer, signatory) is laid out once per process, not per certificate
@lru_cache(maxsize=1024)
def _fit(
    text: str,
    fonts: tuple[FontChoice, ...],
    size: float,
    min_size: float,
    width: float,
    max_lines: int,
    line_height: float,
    max_height: float | None,
    tracking: float,
    floor: float,
) -> Block:
    text = " ".join(text.split())
    line = shape_line(text, fonts, tracking)
    w = line.width(size)
    if w <= width or not text:
        return _block([line], size, line_height)
    shrunk = size * width / w
    if shrunk >= min_size:
        return _block([line], _round_down(shrunk), line_height)

    def ok(s: float) -> list[Line] | None:
        lines = wrap(text, fonts, s, width, tracking)
        if len(lines) > max_lines or any(ln.width(s) > width + 1e-6 for ln in lines):
            return None
        if max_height is not None and len(lines) * s * line_height > max_height + 1e-6:
            return None
        return lines

    if max_lines > 1:
        lines = ok(min_size)
        if lines is not None:
            lo, hi = min_size, size  # largest size in [min_size, size] that still fits
            best = (min_size, lines)
            for _ in range(6):
                mid = (lo + hi) / 2
                got = ok(mid)
                if got is not None:
                    best, lo = (mid, got), mid
                else:
                    hi = mid
            return _block(best[1], _round_down(best[0]), line_height)
    # still too long: shrink below min_size, wrapped into max_lines
    lo, hi = floor, min_size
    smaller: tuple[float, list[Line]] | None = None
    for _ in range(8):
        mid = (lo + hi) / 2
        got = ok(mid) if max_lines > 1 else ([line] if line.width(mid) <= width else None)
        if got is not None:
            smaller, lo = (mid, got), mid
        else:
            hi = mid
    if smaller is None:  # cannot fit even at the floor: single line at the floor, clipped by nobody
        return _block(wrap(text, fonts, floor, width, tracking), floor, line_height)
    return _block(smaller[1], _round_down(smaller[0]), line_height)


def _round_down(s: float) -> float:
    return int(s * 10) / 10.0


def _block(lines: list[Line], size: float, line_height: float) -> Block:
    return Block(lines, size, size * line_height, [ln.width(size) for ln in lines])
