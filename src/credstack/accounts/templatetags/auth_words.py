"""allauth's headings and buttons in the workspace's words: sentence case, whitespace collapsed."""

from __future__ import annotations

import re

from django import template
from django.utils.html import strip_tags
from django.utils.translation import get_language

register = template.Library()


def _lower(word: str) -> str:
    return word.lower() if word[:1].isupper() and word[1:].islower() else word


@register.filter
def sentence_words(text) -> str:
    """ "  Email Addresses\\n" -> "Email addresses"; "Two-Factor Authentication" -> "Two-factor
    authentication". Acronyms (TOTP) and addresses keep their spelling. Markup is dropped (the slots
    this is used on hold plain words). Only English is recased: allauth's translations already use each
    language's own casing (German nouns keep their capital)."""
    words = re.sub(r"\s+", " ", strip_tags(str(text))).strip().split(" ")
    if not (get_language() or "en").startswith("en"):
        return " ".join(words)
    out = []
    for n, word in enumerate(words):
        parts = word.split("-")
        out.append("-".join(p if n == 0 and i == 0 else _lower(p) for i, p in enumerate(parts)))
    return " ".join(out)
