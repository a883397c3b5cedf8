"""Why an SVG is refused (``credstack.render.svg_sanitise``, no Django) in the page's language.

Each ``UnsafeSvg`` keeps its English message (it completes "name.svg ...") and carries a stable ``code``
and ``params``; this catalogue says it as a whole sentence about the file. An unknown code, and an English
page, keep the core's words. ``tests/designs/test_problem_messages.py`` fails on a code missing here.
"""

from __future__ import annotations

from django.utils.translation import get_language, pgettext_lazy

from credstack.render.svg_sanitise import UnsafeSvg
from credstack.ui.bidi import isolate

MESSAGES = {
    "svg.doctype": pgettext_lazy(
        "unsafe image", "%(file)s has a DOCTYPE or entities; SVGs with those are not accepted"
    ),
    "svg.not-well-formed": pgettext_lazy("unsafe image", "%(file)s is not a well-formed SVG (%(error)s)"),
    "svg.not-svg": pgettext_lazy("unsafe image", "%(file)s is XML but not an SVG"),
    "svg.processing-instruction": pgettext_lazy(
        "unsafe image", "%(file)s has a processing instruction (<?%(target)s …?>); refused"
    ),
    "svg.not-utf8": pgettext_lazy("unsafe image", "%(file)s is not UTF-8 text; save it as UTF-8"),
    "svg.script": pgettext_lazy(
        "unsafe image", "%(file)s contains a <%(tag)s> element; SVGs with scripts are refused"
    ),
    "svg.element": pgettext_lazy(
        "unsafe image", "%(file)s contains a <%(tag)s> element, which is not allowed in an image"
    ),
    "svg.foreign-element": pgettext_lazy(
        "unsafe image", "%(file)s contains a <%(tag)s> element from outside SVG; refused"
    ),
    "svg.animation": pgettext_lazy(
        "unsafe image", "%(file)s has a <%(tag)s> that changes %(target)s; refused"
    ),
    "svg.event-handler": pgettext_lazy(
        "unsafe image", "%(file)s has an event handler (%(attribute)s=…) on <%(tag)s>; refused"
    ),
    "svg.attribute": pgettext_lazy(
        "unsafe image",
        "%(file)s has an attribute %(attribute)s on <%(tag)s>, which is not allowed in an image",
    ),
    "svg.script-url": pgettext_lazy(
        "unsafe image", "%(file)s has a script URL in %(attribute)s on <%(tag)s>; refused"
    ),
    "svg.external-link": pgettext_lazy(
        "unsafe image",
        "%(file)s links to %(link)s from <%(tag)s>; only references inside the file are allowed",
    ),
    "svg.css-rule": pgettext_lazy("unsafe image", "%(file)s has a CSS @%(rule)s rule; refused"),
    "svg.css-unreadable": pgettext_lazy(
        "unsafe image", "%(file)s has CSS that cannot be read (%(error)s); refused"
    ),
    "svg.css-property": pgettext_lazy("unsafe image", "%(file)s has the CSS property %(property)s; refused"),
    "svg.css-function": pgettext_lazy(
        "unsafe image", "%(file)s uses the CSS function %(function)s(); refused"
    ),
    "svg.css-at": pgettext_lazy("unsafe image", "%(file)s has a CSS @%(rule)s; refused"),
    "svg.css-url": pgettext_lazy(
        "unsafe image", "%(file)s refers to %(target)s in CSS; only references inside the file are allowed"
    ),
}


def refusal(name: str, exc: UnsafeSvg) -> str:
    """ "logo.svg has a DOCTYPE ..." in the active language."""
    english = f"{name} {exc}"
    template = MESSAGES.get(getattr(exc, "code", ""))
    if template is None or (get_language() or "en").split("-")[0] == "en":
        return english
    values = {key: isolate("" if value is None else str(value)) for key, value in exc.params.items()}
    try:
        return str(template) % {**values, "file": isolate(name)}
    except (KeyError, TypeError, ValueError):
        return english
