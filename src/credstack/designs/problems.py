"""Design problems (``credstack.render``'s validation) in the page's language.

The render core imports no Django: each message of ``validate_design`` is an ``Issue`` (the English text,
as the CLI, logs and the API's JSON show it) with a stable ``code`` and ``params``. This catalogue says each
code in the active language, naming a field by the inspector's label for it; an unknown code, and every
message on an English page, keeps the core's text. ``tests/designs/test_problem_messages.py`` finds every
code in the core's source and fails on one missing here.
"""

from __future__ import annotations

import re
from typing import Any

from django.utils.translation import get_language, gettext_lazy, pgettext_lazy

from credstack.render import Problem
from credstack.ui.bidi import isolate

# What the inspector calls each field of an element: validation messages use the page's words.
FIELD_LABELS = {
    "text": gettext_lazy("Text"),
    "x": gettext_lazy("Left"),
    "y": gettext_lazy("Top"),
    "width": gettext_lazy("Width"),
    "height": gettext_lazy("Height"),
    "size": gettext_lazy("Size"),
    "min_size": gettext_lazy("Shrink to"),
    "max_lines": gettext_lazy("Lines"),
    "color": gettext_lazy("Colour"),
    "font": gettext_lazy("Font"),
    "weight": gettext_lazy("Bold"),
    "style": gettext_lazy("Italic"),
    "align": gettext_lazy("Alignment"),
    "letter_spacing": gettext_lazy("Letter spacing"),
    "transform": gettext_lazy("Case"),
    "line_height": gettext_lazy("Line height"),
    "opacity": gettext_lazy("Opacity"),
    "value": gettext_lazy("QR link"),
    "rotate": gettext_lazy("Rotation"),
}

MESSAGES = {
    "design.must-be-object": pgettext_lazy("design problem", "must be an object"),
    "design.must-be-list": pgettext_lazy("design problem", "must be a list"),
    "design.unknown-fields": pgettext_lazy("design problem", "unknown field(s) %(fields)s"),
    "design.version-unsupported": pgettext_lazy("design problem", "only version 1 is supported"),
    "design.one-of": pgettext_lazy("design problem", "must be one of %(choices)s (got %(got)s)"),
    "design.orientation": pgettext_lazy("design problem", "must be landscape or portrait (got %(got)s)"),
    "design.background-kinds": pgettext_lazy(
        "design problem", "give one of template, image, pdf or fill (got %(got)s)"
    ),
    "design.unknown-template": pgettext_lazy(
        "design problem", "unknown template %(template)s (one of %(choices)s)"
    ),
    "design.colour": pgettext_lazy("design problem", "must be a colour like #1d4e89 (got %(got)s)"),
    "design.asset-name": pgettext_lazy("design problem", "must be the name of an uploaded file"),
    "design.asset-missing": pgettext_lazy("design problem", "the file %(name)s is not supplied"),
    "design.asset-not-pdf": pgettext_lazy("design problem", "the file %(name)s is not a PDF"),
    "design.asset-not-image": pgettext_lazy("design problem", "the file %(name)s is not a PNG or JPEG image"),
    "design.too-many-elements": pgettext_lazy("design problem", "at most %(limit)s elements"),
    "design.field-one-of": pgettext_lazy(
        "design problem", "%(field)s must be one of %(choices)s (got %(got)s)"
    ),
    "design.missing": pgettext_lazy("design problem", "%(field)s is required"),
    "design.length": pgettext_lazy(
        "design problem", "%(field)s must be millimetres (a number) or a percentage like 50%% (got %(got)s)"
    ),
    "design.positive": pgettext_lazy("design problem", "%(field)s must be positive (got %(got)s)"),
    "design.number-range": pgettext_lazy(
        "design problem", "%(field)s must be a number from %(low)s to %(high)s (got %(got)s)"
    ),
    "design.whole-number": pgettext_lazy("design problem", "%(field)s must be a whole number (got %(got)s)"),
    "design.field-colour": pgettext_lazy(
        "design problem", "%(field)s must be a colour like #1d4e89 (got %(got)s)"
    ),
    "design.field-string": pgettext_lazy("design problem", "%(field)s must be text"),
    "design.too-long": pgettext_lazy("design problem", "%(field)s is longer than %(limit)s characters"),
    "design.merge-tag-unbalanced": pgettext_lazy(
        "design problem", "%(field)s: unbalanced “%(token)s” (write “%(doubled)s” for a literal brace)"
    ),
    "design.merge-tag-bad": pgettext_lazy(
        "design problem", "%(field)s: bad merge tag %(tag)s: use letters, digits and _ only"
    ),
    "design.dash": pgettext_lazy("design problem", "%(field)s must be a list of up to 8 lengths in pt"),
    "design.boolean": pgettext_lazy("design problem", "%(field)s must be true or false"),
    "design.font-size": pgettext_lazy(
        "design problem", "%(field)s must be a number of points from 2 to 400 (got %(got)s)"
    ),
    "design.min-size": pgettext_lazy(
        "design problem", "%(field)s (%(min_size)s) is larger than the size (%(size)s)"
    ),
}

# the element a full message of validate_design names first: "elements[3] (text 'name'): "
_ELEMENT = re.compile(r"^(elements\[\d+\](?: \([^)]*\))?): ")


def _english() -> bool:
    return (get_language() or "en").split("-")[0] == "en"


def _say(code: str, params: dict[str, Any] | None) -> str | None:
    """The message ``code`` in the active language, or None (an unknown code, params that do not fit)."""
    template = MESSAGES.get(code or "")
    if template is None:
        return None
    values = {name: "" if value is None else str(value) for name, value in (params or {}).items()}
    if "field" in values:
        values["field"] = str(FIELD_LABELS.get(values["field"], values["field"]))
    values = {name: isolate(value) for name, value in values.items()}
    try:
        return str(template) % values
    except (KeyError, TypeError, ValueError):
        return None


def problem_text(problem: Problem) -> str | None:
    """What the editor shows for ``problem`` in a language other than English (a problem of the page or
    background keeps its place, "page.size: "); None on an English page or for a message of no code."""
    if _english():
        return None
    said = _say(problem.code, problem.params)
    if said is None:
        return None
    if problem.element is None and ": " in problem.message:
        return f"{problem.message.split(': ', 1)[0]}: {said}"
    return said


def issue_text(issue: str) -> str:
    """A whole message of validate_design (an ``Issue``, or any text) in the active language, with the
    place it names kept ("elements[3] (text 'name'): ..."); as it is on an English page."""
    code, params = getattr(issue, "code", ""), getattr(issue, "params", None)
    said = None if _english() else _say(code, params)
    if said is None:
        return str(issue)
    element = _ELEMENT.match(issue)
    where = element.group(1) if element else issue.split(": ", 1)[0]
    return f"{where}: {said}" if ": " in issue else said
