"""A certificate design: JSON-serialisable, validated, with merge tags.

Units: positions and sizes of boxes are millimetres from the page's top-left corner, or a
percentage string of the page width (x, width) or height (y, height), e.g. "50%".
Font sizes and stroke widths are points (1 pt = 1/72 in). Colours are "#rrggbb" or "#rgb".

    {
      "version": 1,
      "page": {"size": "A4", "orientation": "landscape"},
      "background": {"template": "classic", "color": "#1d4e89", "accent": "#b08d3c"},
          # or {"image": "<asset name>"} / {"pdf": "<asset name>"} / {"fill": "#ffffff"}
      "elements": [
        {"type": "text", "id": "name", "text": "{recipient_name}", "x": 20, "y": 80, "width": "80%",
         "font": "serif", "weight": "bold", "style": "normal", "size": 40, "min_size": 16,
         "color": "#222222", "align": "center", "max_lines": 2},
        {"type": "image", "asset": "logo", "x": 20, "y": 15, "width": 40, "height": 20},
        {"type": "qr", "x": 250, "y": 170, "size": 25, "value": "{credential_url}"},
        {"type": "line", "x1": 20, "y1": 100, "x2": 120, "y2": 100, "color": "#999", "stroke_width": 0.75},
        {"type": "rect", "x": 10, "y": 10, "width": 277, "height": 190, "stroke": "#333", "radius": 3}
      ]
    }

Merge tags in text: {recipient_name} {achievement_name} {issuer_name} {issue_date} {expiry_date}
{credential_id} {credential_url} {score} and any custom column {like_this}; "{{" and "}}" are
literal braces. A tag with no value renders as an empty string.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Sequence
from typing import Any, Literal, NamedTuple, NotRequired, TypedDict

from .images import sniff
from .page import PAGE_SIZES, size_mm
from .templates import TEMPLATES

MM = 72.0 / 25.4
STANDARD_TAGS = (
    "recipient_name",
    "achievement_name",
    "issuer_name",
    "issue_date",
    "expiry_date",
    "credential_id",
    "credential_url",
    "score",
)
MAX_ELEMENTS = 200
MAX_TEXT = 2000

Length = float | int | str  # mm, or "NN%"


class Page(TypedDict, total=False):
    size: Literal["A4", "Letter"]
    orientation: Literal["landscape", "portrait"]


class Background(TypedDict, total=False):
    template: str  # a built-in template name (see templates.TEMPLATES)
    color: str  # brand colour for templates
    accent: str  # second colour for templates
    image: str  # asset name of a PNG/JPEG covering the page
    pdf: str  # asset name of a PDF whose first page is the background
    fill: str  # plain colour


class TextElement(TypedDict):
    type: Literal["text"]
    text: str
    x: Length
    y: Length
    width: Length
    id: NotRequired[str]
    height: NotRequired[Length]  # box height; default one line at `size`
    font: NotRequired[Literal["sans", "serif"]]
    weight: NotRequired[Literal["regular", "bold"]]
    style: NotRequired[Literal["normal", "italic"]]
    size: NotRequired[float]  # pt, default 12
    min_size: NotRequired[float]  # pt, auto-shrink floor before wrapping; default = size
    max_lines: NotRequired[int]  # wrap into at most this many lines; default 1
    line_height: NotRequired[float]  # multiple of the size; default 1.2
    letter_spacing: NotRequired[float]  # em; ignored for joining scripts
    transform: NotRequired[Literal["none", "uppercase", "lowercase", "capitalize"]]
    color: NotRequired[str]
    opacity: NotRequired[float]
    align: NotRequired[Literal["left", "center", "right"]]
    valign: NotRequired[Literal["top", "middle", "bottom"]]
    rotate: NotRequired[float]  # degrees clockwise about the box's centre; default 0


class ImageElement(TypedDict):
    type: Literal["image"]
    asset: str
    x: Length
    y: Length
    width: Length
    height: Length
    id: NotRequired[str]
    fit: NotRequired[Literal["contain", "cover", "stretch"]]
    opacity: NotRequired[float]
    optional: NotRequired[bool]  # skip silently when the asset is not supplied
    rotate: NotRequired[float]  # degrees clockwise about the box's centre


class QRElement(TypedDict):
    type: Literal["qr"]
    x: Length
    y: Length
    size: Length
    id: NotRequired[str]
    value: NotRequired[str]  # default "{credential_url}"
    color: NotRequired[str]
    background: NotRequired[str | None]  # default white plate; None = transparent
    rotate: NotRequired[float]  # degrees clockwise about the code's centre


class LineElement(TypedDict):
    type: Literal["line"]
    x1: Length
    y1: Length
    x2: Length
    y2: Length
    id: NotRequired[str]
    color: NotRequired[str]
    stroke_width: NotRequired[float]  # pt
    dash: NotRequired[list[float]]  # pt
    opacity: NotRequired[float]


class RectElement(TypedDict):
    type: Literal["rect"]
    x: Length
    y: Length
    width: Length
    height: Length
    id: NotRequired[str]
    fill: NotRequired[str | None]
    stroke: NotRequired[str | None]
    stroke_width: NotRequired[float]
    radius: NotRequired[float]  # mm
    opacity: NotRequired[float]
    rotate: NotRequired[float]  # degrees clockwise about the box's centre


Element = TextElement | ImageElement | QRElement | LineElement | RectElement


class Design(TypedDict, total=False):
    version: int
    name: str  # free text for the issuer's own use
    meta: dict[str, Any]  # free data for editors (ignored when rendering)
    page: Page
    background: Background
    elements: list[Element]


class DesignError(ValueError):
    """A design that cannot be rendered; .errors lists every problem found."""

    def __init__(self, errors: Sequence[str]) -> None:
        super().__init__("invalid design: " + "; ".join(errors))
        self.errors = list(errors)


class Issue(str):
    """One message of :func:`validate_design`: the English text (a ``str``, as shown by the CLI, logs and
    the API), with a stable ``code`` and the ``params`` it names, so that a page can say it in its
    viewer's language (this package imports no Django: the catalogue lives in the designs app)."""

    code: str
    params: dict[str, Any]

    def __new__(cls, text: str, code: str, **params: Any) -> Issue:
        issue = super().__new__(cls, text)
        issue.code = code
        issue.params = params
        return issue


class MergeTagError(ValueError):
    """A malformed merge tag; ``code`` and ``params`` as an :class:`Issue`'s."""

    def __init__(self, message: str, code: str, **params: Any) -> None:
        super().__init__(message)
        self.code = code
        self.params = params


# ---- merge tags ------------------------------------------------------------------------------

_TAG = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|[{}]")
_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")


def template_fields(text: str) -> list[str]:
    """Merge tags used in a template string; raises ValueError on malformed braces."""
    out = []
    for m in _TAG.finditer(text):
        tok = m.group(0)
        if tok in ("{{", "}}"):
            continue
        if m.group(1) is None:
            raise MergeTagError(
                f"unbalanced '{tok}' (write '{tok * 2}' for a literal brace)",
                "design.merge-tag-unbalanced",
                token=tok,
                doubled=tok * 2,
            )
        name = m.group(1).strip()
        if not _IDENT.match(name):
            raise MergeTagError(
                f"bad merge tag {{{m.group(1)}}}: use letters, digits and _ only",
                "design.merge-tag-bad",
                tag="{" + m.group(1) + "}",
            )
        out.append(name)
    return out


def design_fields(design: Design) -> set[str]:
    """Every merge tag the design uses (to check a CSV's columns before a bulk issue)."""
    fields: set[str] = set()
    for el in design.get("elements", []):
        if el.get("type") == "qr" and "value" not in el:
            fields.add("credential_url")
        for key in ("text", "value"):
            value = el.get(key)
            if isinstance(value, str):
                try:
                    fields.update(template_fields(value))
                except ValueError:
                    pass
    return fields


def format_value(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, _dt.datetime):
        v = v.date()
    if isinstance(v, _dt.date):
        return f"{v.day} {v.strftime('%B')} {v.year}"
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def fill(text: str, values: dict[str, Any]) -> str:
    def sub(m: re.Match[str]) -> str:
        tok = m.group(0)
        if tok == "{{":
            return "{"
        if tok == "}}":
            return "}"
        if m.group(1) is None:
            return tok
        return format_value(values.get(m.group(1).strip()))

    return _TAG.sub(sub, text)


# ---- validation ------------------------------------------------------------------------------

HEX_COLOR = re.compile(r"^#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$")
_PCT = re.compile(r"^-?\d+(\.\d+)?%$")

_REQUIRED = {
    "text": ("text", "x", "y", "width"),
    "image": ("asset", "x", "y", "width", "height"),
    "qr": ("x", "y", "size"),
    "line": ("x1", "y1", "x2", "y2"),
    "rect": ("x", "y", "width", "height"),
}
_OPTIONAL = {
    "text": {
        "id",
        "height",
        "font",
        "weight",
        "style",
        "size",
        "min_size",
        "max_lines",
        "line_height",
        "letter_spacing",
        "transform",
        "color",
        "opacity",
        "align",
        "valign",
        "rotate",
    },
    "image": {"id", "fit", "opacity", "optional", "rotate"},
    "qr": {"id", "value", "color", "background", "rotate"},
    "line": {"id", "color", "stroke_width", "dash", "opacity"},
    "rect": {"id", "fill", "stroke", "stroke_width", "radius", "opacity", "rotate"},
}
_LENGTHS = {"x", "y", "width", "height", "x1", "y1", "x2", "y2", "size"}
_ENUMS = {
    "font": ("sans", "serif"),
    "weight": ("regular", "bold"),
    "style": ("normal", "italic"),
    "align": ("left", "center", "right"),
    "valign": ("top", "middle", "bottom"),
    "fit": ("contain", "cover", "stretch"),
    "transform": ("none", "uppercase", "lowercase", "capitalize"),
}
_NUMBERS = {  # field: (min, max)
    "min_size": (2, 400),
    "line_height": (0.5, 4),
    "letter_spacing": (-0.2, 2),
    "opacity": (0, 1),
    "stroke_width": (0, 72),
    "radius": (0, 1000),
    "max_lines": (1, 20),
    "rotate": (-360, 360),
}


def _is_num(v: object) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool) and v == v and abs(v) != float("inf")


def validate_design(design: Any, assets: dict[str, bytes] | None = None) -> list[Issue]:
    """Every problem with a design, as messages naming the element and field; [] if it is valid.

    With `assets`, also checks that every referenced asset is supplied and of the right kind. Each
    message is an :class:`Issue` (a str with its code and params)."""
    errs: list[Issue] = []
    if not isinstance(design, dict):
        return [Issue("design: must be an object", "design.must-be-object")]
    unknown = set(design) - {"version", "page", "background", "elements", "name", "meta"}
    if unknown:
        errs.append(
            Issue(
                f"design: unknown field(s) {', '.join(sorted(unknown))}",
                "design.unknown-fields",
                fields=", ".join(sorted(unknown)),
            )
        )
    if design.get("version", 1) != 1:
        errs.append(Issue("version: only version 1 is supported", "design.version-unsupported"))
    page = design.get("page", {})
    if not isinstance(page, dict):
        errs.append(Issue("page: must be an object", "design.must-be-object"))
    else:
        if page.get("size", "A4") not in PAGE_SIZES:
            errs.append(
                Issue(
                    f"page.size: must be one of {', '.join(PAGE_SIZES)} (got {page.get('size')!r})",
                    "design.one-of",
                    choices=", ".join(PAGE_SIZES),
                    got=repr(page.get("size")),
                )
            )
        if page.get("orientation", "landscape") not in ("landscape", "portrait"):
            errs.append(
                Issue(
                    f"page.orientation: must be landscape or portrait (got {page.get('orientation')!r})",
                    "design.orientation",
                    got=repr(page.get("orientation")),
                )
            )
        if set(page) - {"size", "orientation"}:
            fields = ", ".join(sorted(set(page) - {"size", "orientation"}))
            errs.append(Issue(f"page: unknown field(s) {fields}", "design.unknown-fields", fields=fields))

    bg = design.get("background", {})
    if not isinstance(bg, dict):
        errs.append(Issue("background: must be an object", "design.must-be-object"))
    else:
        kinds = [k for k in ("template", "image", "pdf", "fill") if k in bg]
        if len(kinds) > 1:
            errs.append(
                Issue(
                    f"background: give one of template, image, pdf or fill (got {', '.join(kinds)})",
                    "design.background-kinds",
                    got=", ".join(kinds),
                )
            )
        if set(bg) - {"template", "image", "pdf", "fill", "color", "accent"}:
            fields = ", ".join(sorted(set(bg) - {"template", "image", "pdf", "fill", "color", "accent"}))
            errs.append(
                Issue(f"background: unknown field(s) {fields}", "design.unknown-fields", fields=fields)
            )
        if "template" in bg and bg["template"] not in TEMPLATES:
            errs.append(
                Issue(
                    f"background.template: unknown template {bg['template']!r} (one of {', '.join(TEMPLATES)})",
                    "design.unknown-template",
                    template=repr(bg["template"]),
                    choices=", ".join(TEMPLATES),
                )
            )
        for k in ("color", "accent", "fill"):
            if k in bg and not (isinstance(bg[k], str) and HEX_COLOR.match(bg[k])):
                errs.append(
                    Issue(
                        f"background.{k}: must be a colour like #1d4e89 (got {bg[k]!r})",
                        "design.colour",
                        got=repr(bg[k]),
                    )
                )
        for k, kind in (("image", "image"), ("pdf", "pdf")):
            if k in bg:
                errs += _check_asset(f"background.{k}", bg[k], kind, assets)

    elements = design.get("elements", [])
    if not isinstance(elements, list):
        return [*errs, Issue("elements: must be a list", "design.must-be-list")]
    if len(elements) > MAX_ELEMENTS:
        errs.append(
            Issue(
                f"elements: at most {MAX_ELEMENTS} elements", "design.too-many-elements", limit=MAX_ELEMENTS
            )
        )
    for i, el in enumerate(elements[:MAX_ELEMENTS]):
        errs += _validate_element(i, el, assets)
    return errs


def _label(i: int, el: dict[str, Any]) -> str:
    t = el.get("type", "?")
    ident = el.get("id")
    return f"elements[{i}] ({t} {ident!r})" if ident else f"elements[{i}] ({t})"


def _check_asset(where: str, name: Any, kind: str, assets: dict[str, bytes] | None) -> list[Issue]:
    if not isinstance(name, str) or not name:
        return [Issue(f"{where}: must be an asset name", "design.asset-name")]
    if assets is None:
        return []
    if name not in assets:
        return [Issue(f"{where}: asset {name!r} is not supplied", "design.asset-missing", name=repr(name))]
    got = sniff(assets[name])
    if kind == "pdf" and got != "application/pdf":
        return [Issue(f"{where}: asset {name!r} is not a PDF", "design.asset-not-pdf", name=repr(name))]
    if kind == "image" and got not in ("image/png", "image/jpeg"):
        return [
            Issue(
                f"{where}: asset {name!r} is not a PNG or JPEG image",
                "design.asset-not-image",
                name=repr(name),
            )
        ]
    return []


def _validate_element(i: int, el: Any, assets: dict[str, bytes] | None) -> list[Issue]:
    if not isinstance(el, dict):
        return [Issue(f"elements[{i}]: must be an object", "design.must-be-object")]
    where = _label(i, el)
    t = el.get("type")
    if t not in _REQUIRED:
        return [
            Issue(
                f"{where}: type must be one of {', '.join(_REQUIRED)} (got {t!r})",
                "design.field-one-of",
                field="type",
                choices=", ".join(_REQUIRED),
                got=repr(t),
            )
        ]
    errs: list[Issue] = []
    for k in _REQUIRED[t]:
        if k not in el:
            errs.append(Issue(f"{where}: missing {k}", "design.missing", field=k))
    extra = set(el) - set(_REQUIRED[t]) - _OPTIONAL[t] - {"type"}
    if extra:
        fields = ", ".join(sorted(extra))
        errs.append(Issue(f"{where}: unknown field(s) {fields}", "design.unknown-fields", fields=fields))
    for k, v in el.items():
        if (k in _LENGTHS and k != "size") or (k == "size" and t == "qr"):
            if not ((_is_num(v) and -2000 <= v <= 2000) or (isinstance(v, str) and _PCT.match(v))):
                errs.append(
                    Issue(
                        f"{where}: {k} must be millimetres (a number) or a percentage like '50%' (got {v!r})",
                        "design.length",
                        field=k,
                        got=repr(v),
                    )
                )
            elif k in ("width", "height", "size") and (
                (_is_num(v) and v <= 0) or (isinstance(v, str) and v.startswith("-"))
            ):
                errs.append(
                    Issue(
                        f"{where}: {k} must be positive (got {v!r})", "design.positive", field=k, got=repr(v)
                    )
                )
        elif k in _ENUMS and v not in _ENUMS[k]:
            errs.append(
                Issue(
                    f"{where}: {k} must be one of {', '.join(_ENUMS[k])} (got {v!r})",
                    "design.field-one-of",
                    field=k,
                    choices=", ".join(_ENUMS[k]),
                    got=repr(v),
                )
            )
        elif k in _NUMBERS:
            lo, hi = _NUMBERS[k]
            if not _is_num(v) or not lo <= v <= hi:
                errs.append(
                    Issue(
                        f"{where}: {k} must be a number from {lo} to {hi} (got {v!r})",
                        "design.number-range",
                        field=k,
                        low=lo,
                        high=hi,
                        got=repr(v),
                    )
                )
            elif k == "max_lines" and not isinstance(v, int):
                errs.append(
                    Issue(
                        f"{where}: max_lines must be a whole number (got {v!r})",
                        "design.whole-number",
                        field=k,
                        got=repr(v),
                    )
                )
        elif k in ("color", "fill", "stroke", "background") and v is not None:
            if not (isinstance(v, str) and HEX_COLOR.match(v)):
                errs.append(
                    Issue(
                        f"{where}: {k} must be a colour like #1d4e89 (got {v!r})",
                        "design.field-colour",
                        field=k,
                        got=repr(v),
                    )
                )
        elif k in ("text", "value"):
            if not isinstance(v, str):
                errs.append(Issue(f"{where}: {k} must be a string", "design.field-string", field=k))
            elif len(v) > MAX_TEXT:
                errs.append(
                    Issue(
                        f"{where}: {k} is longer than {MAX_TEXT} characters",
                        "design.too-long",
                        field=k,
                        limit=MAX_TEXT,
                    )
                )
            else:
                try:
                    template_fields(v)
                except MergeTagError as e:
                    errs.append(Issue(f"{where}: {k}: {e}", e.code, field=k, **e.params))
        elif k == "dash":
            if not (isinstance(v, list) and len(v) <= 8 and all(_is_num(d) and 0 <= d <= 100 for d in v)):
                errs.append(
                    Issue(f"{where}: dash must be a list of up to 8 lengths in pt", "design.dash", field=k)
                )
        elif k == "asset":
            if not el.get("optional"):
                errs += _check_asset(f"{where}: asset", v, "image", assets)
        elif k in ("id",) and not isinstance(v, str):
            errs.append(Issue(f"{where}: id must be a string", "design.field-string", field=k))
        elif k == "optional" and not isinstance(v, bool):
            errs.append(Issue(f"{where}: optional must be true or false", "design.boolean", field=k))
    if t == "text":
        size = el.get("size", 12)
        if not _is_num(size) or not 2 <= size <= 400:
            errs.append(
                Issue(
                    f"{where}: size must be a number of points from 2 to 400 (got {size!r})",
                    "design.font-size",
                    field="size",
                    got=repr(size),
                )
            )
        elif _is_num(el.get("min_size")) and el["min_size"] > size:
            errs.append(
                Issue(
                    f"{where}: min_size ({el['min_size']}) is larger than size ({size})",
                    "design.min-size",
                    field="min_size",
                    min_size=el["min_size"],
                    size=size,
                )
            )
    return errs


class Problem(NamedTuple):
    """One problem with a design, tied to what an editor shows: the element (its index in
    ``elements``, None for the page or background) and the field (None for the element as a whole)."""

    element: int | None
    field: str | None
    message: str  # the problem, without the element's label: "size must be a number of points ..."
    code: str = ""  # the Issue's code ("" for a message of no code): a page says it in its own words
    params: dict[str, Any] | None = None


_WHERE = re.compile(r"^elements\[(\d+)\](?: \([^)]*\))?: (.*)$", re.S)
_FIRST_WORD = re.compile(r"^(missing |unknown field\(s\) )?([a-z_0-9]+)\b")


def design_problems(design: Any, assets: dict[str, bytes] | None = None) -> list[Problem]:
    """validate_design()'s problems, each tied to its element and field (for an editor that shows a
    message beside the field it is about)."""
    out = []
    for message in validate_design(design, assets):
        m = _WHERE.match(message)
        if not m:
            field = message.split(":", 1)[0].split(".")[-1] or None
            out.append(Problem(None, field, message, message.code, message.params))
            continue
        rest = m.group(2)
        word = _FIRST_WORD.match(rest)
        out.append(
            Problem(int(m.group(1)), word.group(2) if word else None, rest, message.code, message.params)
        )
    return out


def apply_case(text: str, transform: str) -> str:
    """A text element's `transform`: uppercase, lowercase, or capitalize (first letter of each word;
    the rest kept as typed, so "McDonald" stays)."""
    if transform == "uppercase":
        return text.upper()
    if transform == "lowercase":
        return text.lower()
    if transform == "capitalize":
        return " ".join(w[:1].upper() + w[1:] for w in text.split(" "))
    return text


def check_design(design: Any, assets: dict[str, bytes] | None = None) -> None:
    errs = validate_design(design, assets)
    if errs:
        raise DesignError(errs)


# ---- geometry --------------------------------------------------------------------------------


def page_size_mm(design: Design) -> tuple[float, float]:
    page = design.get("page", {})
    return size_mm(page.get("size", "A4"), page.get("orientation", "landscape"))


def length_pt(v: Length, total_mm: float) -> float:
    """A design length (mm or 'NN%' of total_mm) in points."""
    if isinstance(v, str):
        return float(v[:-1]) / 100.0 * total_mm * MM
    return float(v) * MM
