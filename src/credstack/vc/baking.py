"""Baking: a badge image that carries its credential (Open Badges 3.0 and 2.0).

PNG: an ``iTXt`` chunk, keyword ``openbadgecredential`` (OB 3.0: the signed credential as JSON, or a
compact JWS) or ``openbadges`` (OB 2.0 baking: the assertion's JSON, or a signed assertion; older
badges may hold its URL), uncompressed, before ``IEND``.
SVG: an ``<openbadges:credential>`` element (OB 3.0, namespace ``https://purl.imsglobal.org/ob/v3p0``)
or ``<openbadges:assertion verify="URL or signed assertion">`` (OB 2.0, namespace
``http://openbadges.org``, a hosted assertion's JSON in CDATA) right after the opening ``<svg>`` tag,
the JSON in a CDATA section. One prefix cannot name two namespaces on one tag: the ``<svg>`` tag binds
``openbadges`` to the OB 3.0 namespace once a credential is baked, and the OB 2.0 element always declares
its own ``xmlns:openbadges="http://openbadges.org"`` (bake the OB 2.0 assertion first, then the OB 3.0
credential: both then sit right after ``<svg>``, the credential first).

Pure Python; extraction reads untrusted input with size limits, never parses XML entities and never
decompresses more than ``MAX_PAYLOAD_BYTES``.
"""

from __future__ import annotations

import re
import struct
import zlib
from collections.abc import Iterator
from dataclasses import dataclass

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
OB3_KEYWORD = "openbadgecredential"
OB2_KEYWORD = "openbadges"
OB3_SVG_NS = "https://purl.imsglobal.org/ob/v3p0"
OB2_SVG_NS = "http://openbadges.org"
OB3_ELEMENT = "openbadges:credential"
OB2_ELEMENT = "openbadges:assertion"

MAX_IMAGE_BYTES = 20 * 1024 * 1024
MAX_PAYLOAD_BYTES = 2 * 1024 * 1024
MAX_CHUNKS = 10_000


class BakingError(ValueError):
    """The image cannot be baked or read, or carries no credential."""


# --- PNG ------------------------------------------------------------------------------------------


def _chunk(kind: bytes, data: bytes) -> bytes:
    return (
        struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    )


def _itxt(keyword: str, text: str) -> bytes:
    # keyword, NUL, compression flag 0, method 0, empty language tag NUL, empty translated keyword NUL
    return keyword.encode("latin-1") + b"\x00\x00\x00\x00\x00" + text.encode("utf-8")


def _png_chunks(png: bytes) -> Iterator[tuple[int, int, bytes, bytes]]:
    if not isinstance(png, bytes | bytearray | memoryview):
        raise BakingError(f"expected the PNG's bytes, got {type(png).__name__}")
    png = bytes(png)
    if len(png) > MAX_IMAGE_BYTES:
        raise BakingError(f"the image is {len(png)} bytes; the limit is {MAX_IMAGE_BYTES} bytes")
    if not png.startswith(PNG_SIGNATURE):
        raise BakingError("not a PNG image (no PNG signature)")
    pos, count = len(PNG_SIGNATURE), 0
    while pos < len(png):
        count += 1
        if count > MAX_CHUNKS:
            raise BakingError(f"more than {MAX_CHUNKS} PNG chunks")
        if pos + 8 > len(png):
            raise BakingError("truncated PNG chunk header")
        (length,) = struct.unpack(">I", png[pos : pos + 4])
        kind = png[pos + 4 : pos + 8]
        end = pos + 12 + length
        if end > len(png):
            raise BakingError(f"truncated PNG chunk {kind!r}")
        yield pos, end, kind, png[pos + 8 : pos + 8 + length]
        pos = end
        if kind == b"IEND":
            return
    raise BakingError("PNG has no IEND chunk")


def _text_keyword(kind: bytes, data: bytes) -> str | None:
    if kind not in (b"iTXt", b"tEXt", b"zTXt"):
        return None
    keyword, sep, _ = data.partition(b"\x00")
    return keyword.decode("latin-1") if sep else None


def _read_text_chunk(kind: bytes, data: bytes) -> str:
    keyword, _, rest = data.partition(b"\x00")
    if kind == b"tEXt":
        return rest.decode("latin-1")
    if kind == b"zTXt":
        return _inflate(rest[1:]).decode("latin-1")
    # iTXt: flag, method, language\0, translated keyword\0, text
    if len(rest) < 2:
        raise BakingError("malformed iTXt chunk")
    flag, body = rest[0], rest[2:]
    _lang, _, body = body.partition(b"\x00")
    _translated, _, body = body.partition(b"\x00")
    if flag:
        body = _inflate(body)
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BakingError(f"the {keyword.decode('latin-1')} chunk is not UTF-8 text: {exc}") from None


def _inflate(data: bytes) -> bytes:
    d = zlib.decompressobj()
    try:
        out = d.decompress(data, MAX_PAYLOAD_BYTES + 1)
    except zlib.error as exc:
        raise BakingError(f"compressed text chunk is corrupt: {exc}") from None
    if len(out) > MAX_PAYLOAD_BYTES or d.unconsumed_tail:
        raise BakingError(f"the baked text is larger than {MAX_PAYLOAD_BYTES} bytes")
    return out


def bake_png(png: bytes, payload: str, keyword: str = OB3_KEYWORD) -> bytes:
    """The PNG with ``payload`` in an iTXt chunk under ``keyword`` (replacing one already there)."""
    if keyword not in (OB3_KEYWORD, OB2_KEYWORD):
        raise BakingError(f"keyword must be {OB3_KEYWORD!r} or {OB2_KEYWORD!r}")
    if len(payload.encode("utf-8")) > MAX_PAYLOAD_BYTES:
        raise BakingError(f"the payload is larger than {MAX_PAYLOAD_BYTES} bytes")
    png = bytes(png)
    out = [PNG_SIGNATURE]
    for start, end, kind, data in _png_chunks(png):
        if _text_keyword(kind, data) == keyword:
            continue
        if kind == b"IEND":
            out.append(_chunk(b"iTXt", _itxt(keyword, payload)))
        out.append(png[start:end])
    return b"".join(out)


def png_payloads(png: bytes) -> dict[str, str]:
    """{keyword: text} of the OB 3.0 and OB 2.0 payloads baked into the PNG (either may be absent)."""
    found: dict[str, str] = {}
    for _start, _end, kind, data in _png_chunks(png):
        keyword = _text_keyword(kind, data)
        if keyword in (OB3_KEYWORD, OB2_KEYWORD) and keyword not in found:
            if len(data) > MAX_PAYLOAD_BYTES + 64:
                raise BakingError(f"the baked text is larger than {MAX_PAYLOAD_BYTES} bytes")
            found[keyword] = _read_text_chunk(kind, data)
    return found


# --- SVG ------------------------------------------------------------------------------------------

# The SVG is scanned with str.find, never with a regular expression that can backtrack: every search
# below is linear in the size of the image, whatever an attacker repeats in it (an SVG made of 8,000
# unclosed <openbadges:credential> tags took 24 s with the regular expressions used before).
_VERIFY_ATTR = re.compile(r"""\bverify\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_NAME_END = " \t\r\n>/"


@dataclass(frozen=True)
class _Element:
    start: int  # index of "<"
    end: int  # index just after the element (after "/>" or the closing tag's ">")
    attrs: str
    inner: str


def _svg_open(svg: str) -> _Element | None:
    """The opening ``<svg ...>`` tag (any case), or None."""
    lower = svg.lower()
    at = 0
    while (i := lower.find("<svg", at)) >= 0:
        after = i + 4
        if after < len(svg) and svg[after] not in _NAME_END:
            at = after
            continue
        gt = svg.find(">", after)
        if gt < 0:  # no ">" after this "<svg", so none after any later one either
            return None
        return _Element(i, gt + 1, svg[after:gt], "")
    return None


def _find_element(svg: str, name: str, start: int = 0) -> _Element | None:
    """The first ``<name ...>...</name>`` or ``<name .../>`` at or after ``start``.

    Every character is looked at a bounded number of times: opening tags that share one ">" (``<name <name
    <name ... >``) are skipped together, and so are closing tags that share one (``</name x </name x ...>``),
    of which only the last can end the element."""
    opening, closing = f"<{name}", f"</{name}"
    at, closable = start, True
    while (i := svg.find(opening, at)) >= 0:
        after = i + len(opening)
        if after < len(svg) and svg[after] not in _NAME_END:
            at = after
            continue
        gt = svg.find(">", after)
        if gt < 0:  # no ">" after this tag, so none after any later one either
            return None
        if svg[gt - 1] == "/":
            return _Element(i, gt + 1, svg[after : gt - 1], "")
        if closable:
            close = _closing_tag(svg, closing, gt + 1)
            if close is not None:
                return _Element(i, close[1], svg[after:gt], svg[gt + 1 : close[0]])
        # Once no closing tag follows an opening, none follows a later one: from then on only a
        # self-closing element can still match. Openings before this ">" end at it too: skip them.
        closable = False
        at = gt + 1
    return None


def _closing_tag(svg: str, closing: str, at: int) -> tuple[int, int] | None:
    """(start, end) of the first ``</name>`` (blanks allowed before ">") at or after ``at``."""
    while (close := svg.find(closing, at)) >= 0:
        close_gt = svg.find(">", close + len(closing))
        if close_gt < 0:
            return None
        # of the closing tags before this ">", only the last can be blank up to it
        last = svg.rfind(closing, close, close_gt)
        if not svg[last + len(closing) : close_gt].strip():
            return last, close_gt + 1
        at = close_gt + 1
    return None


def _without_elements(text: str, name: str) -> str:
    parts, at = [], 0
    while (found := _find_element(text, name, at)) is not None:
        parts.append(text[at : found.start])
        at = found.end
    parts.append(text[at:])
    return "".join(parts)


def _cdata(text: str) -> str:
    # "]]>" cannot appear inside CDATA: split it across two sections.
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def _svg_text(svg: str | bytes) -> str:
    if isinstance(svg, bytes | bytearray | memoryview):
        svg = bytes(svg)
        if len(svg) > MAX_IMAGE_BYTES:
            raise BakingError(f"the image is {len(svg)} bytes; the limit is {MAX_IMAGE_BYTES} bytes")
        try:
            svg = svg.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise BakingError("the SVG is not UTF-8 text") from None
    if not isinstance(svg, str):
        raise BakingError(f"expected SVG text, got {type(svg).__name__}")
    if len(svg) > MAX_IMAGE_BYTES:
        raise BakingError(f"the image is larger than {MAX_IMAGE_BYTES} bytes")
    return svg


def _bind_prefix(tag: str, ns: str, *, replace: bool) -> str:
    """The opening ``<svg>`` tag with ``xmlns:openbadges`` bound to ``ns`` (an existing binding is
    replaced only with ``replace``)."""
    if "xmlns:openbadges=" in tag:
        if not replace:
            return tag
        return re.sub(r"""xmlns:openbadges\s*=\s*("[^"]*"|'[^']*')""", f'xmlns:openbadges="{ns}"', tag)
    if tag.endswith("/>"):
        return tag[:-2] + f' xmlns:openbadges="{ns}"/>'
    return tag[:-1] + f' xmlns:openbadges="{ns}">'


def _attr(value: str) -> str:
    return value.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")


def bake_svg(svg: str, payload: str, *, ob2_verify_url: str | None = None) -> str:
    """The SVG with an OB 3.0 ``<openbadges:credential>`` element holding ``payload``.

    With ``ob2_verify_url``, an OB 2.0 ``<openbadges:assertion verify="...">`` instead (OB 2.0 baking):
    ``payload`` is the hosted assertion's JSON, put in CDATA as that spec asks (empty: the element
    carries the ``verify`` value alone, as for a signed assertion). Either replaces an element of its
    kind already there and leaves the other kind alone."""
    svg = _svg_text(svg)
    opening = _svg_open(svg)
    if not opening:
        raise BakingError("not an SVG image (no <svg> element)")
    tag = svg[opening.start : opening.end]
    if ob2_verify_url is not None:
        if not ob2_verify_url.strip():
            raise BakingError("the OB 2.0 verify value (the assertion's URL or signed assertion) is empty")
        name = OB2_ELEMENT
        tag = _bind_prefix(tag, OB2_SVG_NS, replace=False)
        body = _cdata(payload) if payload else ""
        element = (
            f'<openbadges:assertion xmlns:openbadges="{OB2_SVG_NS}" verify="{_attr(ob2_verify_url)}">'
            f"{body}</openbadges:assertion>"
        )
    else:
        name = OB3_ELEMENT
        tag = _bind_prefix(tag, OB3_SVG_NS, replace=True)
        element = f"<openbadges:credential>{_cdata(payload)}</openbadges:credential>"
    rest = _without_elements(svg[opening.end :], name)
    return svg[: opening.start] + tag + "\n" + element + rest


def svg_payloads(svg: str | bytes) -> dict[str, str]:
    """{"openbadgecredential": json-or-jwt, "openbadges": json-or-url} found in the SVG."""
    svg = _svg_text(svg)
    if "<svg" not in svg.lower():
        raise BakingError("not an SVG image (no <svg> element)")
    found: dict[str, str] = {}
    if (ob3 := _find_element(svg, OB3_ELEMENT)) is not None:
        found[OB3_KEYWORD] = _element_text(ob3.inner)
    if (ob2 := _find_element(svg, OB2_ELEMENT)) is not None:
        body = _element_text(ob2.inner)
        attr = _VERIFY_ATTR.search(ob2.attrs)
        found[OB2_KEYWORD] = body or (_unescape((attr.group(1) or attr.group(2)) if attr else ""))
    return {k: v for k, v in found.items() if v}


def _element_text(inner: str) -> str:
    if len(inner) > MAX_PAYLOAD_BYTES * 2:
        raise BakingError(f"the baked text is larger than {MAX_PAYLOAD_BYTES} bytes")
    sections, at = [], 0
    while (i := inner.find("<![CDATA[", at)) >= 0:
        close = inner.find("]]>", i + 9)
        if close < 0:
            break
        sections.append(inner[i + 9 : close])
        at = close + 3
    if sections:
        return "".join(sections).strip()
    return _unescape(inner).strip()


def _unescape(text: str) -> str:
    # only the XML predefined entities and numeric references; never DTD-declared ones
    def ref(m: re.Match[str]) -> str:
        body = m.group(1)
        named = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}
        if body in named:
            return named[body]
        try:
            return chr(int(body[2:], 16) if body[:2].lower() == "#x" else int(body[1:]))
        except (ValueError, OverflowError):
            return m.group(0)

    return re.sub(r"&(#x[0-9a-fA-F]+|#[0-9]+|amp|lt|gt|quot|apos);", ref, text)
