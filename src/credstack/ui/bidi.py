"""Values put into a translated sentence on a right-to-left page."""

from __future__ import annotations

from django.utils.translation import get_language_bidi


def isolate(text: str) -> str:
    """On a right-to-left page, a value put into a sentence (a URL, a DID, a date, a field's name) as a
    bidi isolate (FSI … PDI): it keeps its own direction without reordering the Arabic around it or
    pulling the sentence's brackets and punctuation to the wrong side. Unchanged on other pages."""
    return f"\u2068{text}\u2069" if text and get_language_bidi() else text
