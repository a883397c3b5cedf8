"""An allowlist check for SVG images uploaded as logos, badges and certificate backgrounds.

An SVG passes only when every element and attribute is on the allowlists below and nothing in it can run
code or reach another document: no script or event handler, no ``<foreignObject>`` or HTML, no processing
instruction (``<?xml-stylesheet?>``), no DOCTYPE or entity, no animation of an event handler, a link or a
style (``<set attributeName="onmouseover">``), and no reference outside the file of any kind: ``href`` only
to ``#fragment`` or an embedded raster ``data:`` image, ``url()`` only to ``#fragment``, no ``@import`` and
no other at-rule but ``@media``. CSS (``<style>`` and ``style=``) is tokenised with tinycss2, which decodes
escapes and comments as a browser does (``@\\69mport`` is ``@import``), rather than matched by patterns.

Elements and attributes in other XML namespaces (Inkscape's, Sodipodi's, RDF metadata) are inert in a
browser and are allowed, except XHTML and MathML, and their attributes are checked like the others.

:func:`check_svg` returns nothing for a safe image (its bytes are used as they are) and raises
:class:`UnsafeSvg` naming the first problem. Pure Python: no Django.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import Any
from xml.etree import ElementTree as ET  # DOCTYPE and entities are refused before parsing

import tinycss2

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
XML_NS = "http://www.w3.org/XML/1998/namespace"
# Namespaces a browser gives meaning to besides SVG: an element from these is refused.
_ACTIVE_NS = {
    "http://www.w3.org/1999/xhtml",
    "http://www.w3.org/1998/Math/MathML",
    "http://www.w3.org/2000/xmlns/",
}

_FILTER_PRIMITIVES = {
    "feBlend", "feColorMatrix", "feComponentTransfer", "feComposite", "feConvolveMatrix", "feDiffuseLighting",
    "feDisplacementMap", "feDistantLight", "feDropShadow", "feFlood", "feFuncA", "feFuncB", "feFuncG", "feFuncR",
    "feGaussianBlur", "feImage", "feMerge", "feMergeNode", "feMorphology", "feOffset", "fePointLight",
    "feSpecularLighting", "feSpotLight", "feTile", "feTurbulence",
}  # fmt: skip
ELEMENTS = {
    "svg", "g", "defs", "desc", "title", "metadata", "symbol", "use", "switch", "a", "view",
    "path", "rect", "circle", "ellipse", "line", "polyline", "polygon",
    "text", "tspan", "textPath",
    "image", "linearGradient", "radialGradient", "stop", "pattern", "clipPath", "mask", "marker", "filter",
    "style", "animate", "animateTransform", "animateMotion", "set", "mpath",
} | _FILTER_PRIMITIVES  # fmt: skip

ATTRIBUTES = {
    # core, structure, accessibility
    "id", "class", "style", "lang", "tabindex", "role", "focusable", "version", "baseProfile",
    "width", "height", "x", "y", "viewBox", "preserveAspectRatio", "transform", "href", "title", "media",
    "type", "requiredFeatures", "requiredExtensions", "systemLanguage", "zoomAndPan", "enable-background",
    # geometry
    "x1", "y1", "x2", "y2", "cx", "cy", "r", "rx", "ry", "d", "points", "pathLength", "fx", "fy", "fr",
    # text
    "dx", "dy", "rotate", "textLength", "lengthAdjust", "startOffset", "method", "spacing", "side",
    "font", "font-family", "font-size", "font-size-adjust", "font-stretch", "font-style", "font-variant",
    "font-weight", "font-kerning", "text-anchor", "dominant-baseline", "alignment-baseline", "baseline-shift",
    "letter-spacing", "word-spacing", "text-decoration", "writing-mode", "direction", "unicode-bidi",
    "glyph-orientation-horizontal", "glyph-orientation-vertical", "white-space",
    # painting
    "fill", "fill-opacity", "fill-rule", "stroke", "stroke-dasharray", "stroke-dashoffset", "stroke-linecap",
    "stroke-linejoin", "stroke-miterlimit", "stroke-opacity", "stroke-width", "opacity", "color", "display",
    "visibility", "overflow", "clip", "clip-path", "clip-rule", "mask", "filter", "marker", "marker-start",
    "marker-mid", "marker-end", "paint-order", "vector-effect", "mix-blend-mode", "isolation",
    "color-interpolation", "color-interpolation-filters", "color-rendering", "shape-rendering",
    "text-rendering", "image-rendering", "solid-color", "solid-opacity",
    # gradients, patterns, clipping, masking, markers
    "offset", "stop-color", "stop-opacity", "gradientUnits", "gradientTransform", "spreadMethod",
    "patternUnits", "patternContentUnits", "patternTransform", "clipPathUnits", "maskUnits",
    "maskContentUnits", "markerWidth", "markerHeight", "markerUnits", "refX", "refY", "orient",
    # filters
    "filterUnits", "primitiveUnits", "in", "in2", "result", "stdDeviation", "mode", "operator",
    "k1", "k2", "k3", "k4", "values", "tableValues", "slope", "intercept", "amplitude", "exponent",
    "kernelMatrix", "order", "divisor", "bias", "targetX", "targetY", "edgeMode", "preserveAlpha", "scale",
    "xChannelSelector", "yChannelSelector", "radius", "baseFrequency", "numOctaves", "seed", "stitchTiles",
    "surfaceScale", "diffuseConstant", "specularConstant", "specularExponent", "kernelUnitLength",
    "lighting-color", "flood-color", "flood-opacity", "azimuth", "elevation", "z", "pointsAtX", "pointsAtY",
    "pointsAtZ", "limitingConeAngle", "crossorigin",
    # animation
    "attributeName", "attributeType", "begin", "dur", "end", "from", "to", "by", "repeatCount", "repeatDur",
    "calcMode", "keyTimes", "keySplines", "keyPoints", "additive", "accumulate", "path", "restart", "min",
    "max",
}  # fmt: skip
# Attributes an animation may not change: handlers, links, styles (a new style could bring a url()).
_ANIMATION_TARGETS_REFUSED = re.compile(r"^(on.*|(xlink:)?href|style|class)$", re.IGNORECASE)
_ANIMATIONS = {"animate", "animateTransform", "animateMotion", "set"}
# Embedded raster images only (an SVG in a data: URL could carry what this check refuses).
_DATA_IMAGE = re.compile(r"^data:image/(png|jpeg|jpg|gif|webp);base64,[A-Za-z0-9+/=\s]*$", re.IGNORECASE)
_CSS_FUNCTIONS_REFUSED = {
    "url",
    "src",
    "image",
    "image-set",
    "-webkit-image-set",
    "cross-fade",
    "element",
    "expression",
}
_CSS_PROPERTIES_REFUSED = {"behavior", "-moz-binding"}
# "fill:#1d3f6e;stroke-width:2px": no function, escape, at-rule, string or comment: nothing to parse for.
# Possessive quantifiers: no backtracking, linear on any input.
_PLAIN_DECLARATIONS = re.compile(
    r"^\s*+[a-z-]++\s*+:[^;(\\@\"'/]*+(?:;\s*+[a-z-]++\s*+:[^;(\\@\"'/]*+)*+;?\s*+$", re.IGNORECASE
)


class UnsafeSvg(ValueError):
    """The SVG is refused; the message says why (it completes "name.svg ..."), in English; ``code`` and
    ``params`` let a page say it in its viewer's language (credstack.ui.uploads)."""

    def __init__(self, message: str, code: str = "", **params: Any) -> None:
        super().__init__(message)
        self.code = code
        self.params = params


def check_svg(data: bytes) -> None:
    """Raise :class:`UnsafeSvg` unless ``data`` is an SVG whose every part is on the allowlist."""
    text = _text(data)
    upper = text.upper()
    if "<!DOCTYPE" in upper or "<!ENTITY" in upper:
        raise UnsafeSvg("has a DOCTYPE or entities; SVGs with those are not accepted", "svg.doctype")
    builder = _Builder()
    parser = ET.XMLParser(target=builder)  # noqa: S314 - no DOCTYPE or entity (refused above)
    try:
        parser.feed(text)
        root = parser.close()
    except ET.ParseError as exc:
        raise UnsafeSvg(f"is not a well-formed SVG ({exc})", "svg.not-well-formed", error=str(exc)) from None
    if _split(root.tag) != (SVG_NS, "svg"):
        raise UnsafeSvg("is XML but not an SVG", "svg.not-svg")
    if builder.instructions:
        raise UnsafeSvg(
            f"has a processing instruction (<?{builder.instructions[0]} …?>); refused",
            "svg.processing-instruction",
            target=builder.instructions[0],
        )
    for node in root.iter():
        _check_element(node)


class _Builder(ET.TreeBuilder):
    """A tree builder that remembers every processing instruction, before the root element too."""

    def __init__(self) -> None:
        super().__init__()
        self.instructions: list[str] = []

    def pi(self, target: str, text: str | None = None) -> ET.Element:
        self.instructions.append(target)
        return super().pi(target, text)


def _text(data: bytes) -> str:
    """The SVG as text: UTF-8 only (other encodings could hide a DOCTYPE from the check above)."""
    try:
        return data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError:
        raise UnsafeSvg("is not UTF-8 text; save it as UTF-8", "svg.not-utf8") from None


def _split(tag: str) -> tuple[str, str]:
    if tag.startswith("{"):
        ns, _, local = tag[1:].partition("}")
        return ns, local
    return "", tag


def _check_element(el: ET.Element) -> None:
    ns, tag = _split(el.tag)
    if ns == SVG_NS:
        if tag in ("script", "handler", "foreignObject"):
            raise UnsafeSvg(
                f"contains a <{tag.lower()}> element; SVGs with scripts are refused",
                "svg.script",
                tag=tag.lower(),
            )
        if tag not in ELEMENTS:
            raise UnsafeSvg(
                f"contains a <{tag}> element, which is not allowed in an image", "svg.element", tag=tag
            )
    elif ns in _ACTIVE_NS or ns == "":
        raise UnsafeSvg(
            f"contains a <{tag}> element from outside SVG; refused", "svg.foreign-element", tag=tag
        )
    for name, value in el.attrib.items():
        _check_attribute(tag, name, value, is_svg=ns == SVG_NS)
    if ns == SVG_NS and tag == "style":
        _check_css(
            tinycss2.parse_stylesheet("".join(el.itertext()), skip_comments=True, skip_whitespace=True)
        )
    if ns == SVG_NS and tag in _ANIMATIONS:
        target = el.get("attributeName", "")
        if _ANIMATION_TARGETS_REFUSED.match(target.strip()):
            raise UnsafeSvg(
                f"has a <{tag}> that changes {target!r}; refused",
                "svg.animation",
                tag=tag,
                target=repr(target),
            )


def _check_attribute(tag: str, name: str, value: str, *, is_svg: bool) -> None:
    ns, local = _split(name)
    if local.lower().startswith("on"):
        raise UnsafeSvg(
            f"has an event handler ({local}=…) on <{tag}>; refused",
            "svg.event-handler",
            attribute=local,
            tag=tag,
        )
    if ns == XLINK_NS or (ns == "" and local == "href"):
        if local == "href":
            _check_href(tag, value)
        return
    if ns == XML_NS:
        return
    if ns == "" and is_svg and local not in ATTRIBUTES and not local.startswith(("data-", "aria-")):
        raise UnsafeSvg(
            f"has an attribute {local!r} on <{tag}>, which is not allowed in an image",
            "svg.attribute",
            attribute=repr(local),
            tag=tag,
        )
    if ns == "" and local == "style" and not _PLAIN_DECLARATIONS.match(value):
        _check_declarations(tinycss2.parse_blocks_contents(value, skip_comments=True, skip_whitespace=True))
    elif "(" in value or "\\" in value:  # a presentation attribute may hold url(...) (fill, filter, mask...)
        _check_values(tinycss2.parse_component_value_list(value, skip_comments=True))
    if re.sub(r"[\s\x00-\x1f]", "", value).lower().startswith(("javascript:", "vbscript:", "data:text")):
        raise UnsafeSvg(
            f"has a script URL in {local} on <{tag}>; refused", "svg.script-url", attribute=local, tag=tag
        )


def _check_href(tag: str, value: str) -> None:
    link = value.strip()
    if link.startswith("#") or _DATA_IMAGE.match(link):
        return
    raise UnsafeSvg(
        f"links to {link[:60]!r} from <{tag}>; only references inside the file are allowed",
        "svg.external-link",
        link=repr(link[:60]),
        tag=tag,
    )


def _check_css(rules: Iterable[object]) -> None:
    for rule in rules:
        kind = getattr(rule, "type", "")
        if kind == "at-rule":
            keyword = str(getattr(rule, "lower_at_keyword", ""))
            if keyword != "media":
                raise UnsafeSvg(f"has a CSS @{keyword} rule; refused", "svg.css-rule", rule=keyword)
            _check_values(getattr(rule, "prelude", []))
            content = getattr(rule, "content", None) or []
            _check_css(tinycss2.parse_rule_list(content, skip_comments=True, skip_whitespace=True))
        elif kind == "qualified-rule":
            _check_values(getattr(rule, "prelude", []))
            content = getattr(rule, "content", None) or []
            _check_declarations(
                tinycss2.parse_blocks_contents(content, skip_comments=True, skip_whitespace=True)
            )
        elif kind == "error":
            raise UnsafeSvg(
                f"has CSS that cannot be read ({getattr(rule, 'message', '')}); refused",
                "svg.css-unreadable",
                error=getattr(rule, "message", ""),
            )


def _check_declarations(items: Iterable[object]) -> None:
    for item in items:
        kind = getattr(item, "type", "")
        if kind == "declaration":
            name = str(getattr(item, "lower_name", ""))
            if name in _CSS_PROPERTIES_REFUSED:
                raise UnsafeSvg(f"has the CSS property {name}; refused", "svg.css-property", property=name)
            _check_values(getattr(item, "value", []))
        elif kind == "at-rule":
            raise UnsafeSvg(
                f"has a CSS @{getattr(item, 'lower_at_keyword', '')} rule; refused",
                "svg.css-rule",
                rule=getattr(item, "lower_at_keyword", ""),
            )
        elif kind in ("qualified-rule", "error"):
            _check_css([item])


def _walk(values: Iterable[object]) -> Iterator[object]:
    for value in values:
        yield value
        for attr in ("arguments", "content"):
            inner = getattr(value, attr, None)
            if isinstance(inner, list):
                yield from _walk(inner)


def _check_values(values: Iterable[object]) -> None:
    for token in _walk(values):
        kind = getattr(token, "type", "")
        if kind == "url":
            _check_url(str(getattr(token, "value", "")))
        elif kind == "function":
            name = str(getattr(token, "lower_name", ""))
            if name == "url":
                args = [a for a in getattr(token, "arguments", []) if getattr(a, "type", "") != "whitespace"]
                _check_url(str(getattr(args[0], "value", "")) if len(args) == 1 else "?")
            elif name in _CSS_FUNCTIONS_REFUSED:
                raise UnsafeSvg(f"uses the CSS function {name}(); refused", "svg.css-function", function=name)
        elif kind == "at-keyword":
            raise UnsafeSvg(
                f"has a CSS @{getattr(token, 'lower_value', '')}; refused",
                "svg.css-at",
                rule=getattr(token, "lower_value", ""),
            )


def _check_url(target: str) -> None:
    if not target.strip().startswith("#"):
        raise UnsafeSvg(
            f"refers to {target[:60]!r} in CSS; only references inside the file are allowed",
            "svg.css-url",
            target=repr(target[:60]),
        )
