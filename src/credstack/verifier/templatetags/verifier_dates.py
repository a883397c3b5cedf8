"""``{{ value|human_date }}``: an ISO 8601 date from a credential ("2026-12-05T21:18:00Z") as the other pages
write dates, in the viewer's language ("5 December 2026", "5. Dezember 2026"); a value that is not a date
is shown as it is. ``{{ text|dates_in_words }}``: the same for every ISO 8601 date-time inside a sentence (the
verifier's check messages). ``{{ check.name|check_label }}``: a verification check's name (the pure core's
code: format, proof, status, validity) in the viewer's language; ``{{ check|check_message }}``: its message
(``credstack.verifier.messages``)."""

from __future__ import annotations

import re
from datetime import datetime

from django import template
from django.utils import formats
from django.utils.translation import pgettext_lazy

from credstack.verifier.messages import check_text

register = template.Library()


@register.filter
def human_date(value) -> str:
    text = str(value or "").strip()
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return text
    return formats.date_format(parsed, "DATE_FORMAT")


ISO_DATETIME = re.compile(r"\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?\b")


def _in_words(match: re.Match) -> str:
    try:
        parsed = datetime.fromisoformat(match.group(0).replace("Z", "+00:00"))
    except ValueError:
        return match.group(0)
    return formats.date_format(parsed, "DATE_FORMAT")


@register.filter
def dates_in_words(value) -> str:
    """ "valid from 2026-12-06T03:42:35Z until 2028-12-05T00:00:00Z" → "valid from 6 December 2026 until
    5 December 2028" (plain text: the template escapes it as any other)."""
    return ISO_DATETIME.sub(_in_words, str(value or ""))


# the names of the checks that credstack.vc reports (it imports no Django, so they are translated here)
CHECK_LABELS = {
    "format": pgettext_lazy("verification check", "format"),
    "proof": pgettext_lazy("verification check", "proof"),
    "status": pgettext_lazy("verification check", "status"),
    "validity": pgettext_lazy("verification check", "validity"),
}


@register.filter
def check_label(name) -> str:
    return str(CHECK_LABELS.get(str(name), name))


# where the verify page read the credential from (extract.Extracted.kind; the API says it in English)
SOURCE_LABELS = {
    "json": pgettext_lazy("verified file", "pasted or uploaded JSON"),
    "jwt": pgettext_lazy("verified file", "a JWT"),
    "pdf": pgettext_lazy("verified file", "the PDF’s attachment"),
    "png": pgettext_lazy("verified file", "the PNG badge’s baked credential"),
    "svg": pgettext_lazy("verified file", "the SVG badge’s baked credential"),
}


@register.filter
def source_label(kind) -> str:
    return str(SOURCE_LABELS.get(str(kind), kind))


@register.filter
def check_message(check) -> str:
    """A check's message (a Check or its dict) in the viewer's language."""
    return check_text(check)
