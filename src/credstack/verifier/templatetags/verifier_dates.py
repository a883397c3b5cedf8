"""``{{ value|human_date }}``: an ISO 8601 date from a credential ("2026-12-05T21:18:00Z") as the other pages
write dates, in the viewer's language ("5 December 2026", "5. Dezember 2026"); a value that is not a date
is shown as it is."""

from __future__ import annotations

from datetime import datetime

from django import template
from django.utils import formats

register = template.Library()


@register.filter
def human_date(value) -> str:
    text = str(value or "").strip()
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return text
    return formats.date_format(parsed, "DATE_FORMAT")
