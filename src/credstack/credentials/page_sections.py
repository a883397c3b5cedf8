"""Sections that apps above ``credentials`` add to the public credential page (endorsements, …).

    from credstack.credentials.page_sections import add_section
    add_section(render)  # (credential) -> HTML (safe) or ""

The page cache keeps the page with its sections: an app whose section changes ends the credential's
cached page (``pagecache.credentials_changed``) in the same action.
"""

from __future__ import annotations

from collections.abc import Callable

from django.utils.safestring import SafeString, mark_safe

from .models import Credential

Section = Callable[[Credential], str]
_sections: list[Section] = []


def add_section(section: Section) -> None:
    if section not in _sections:
        _sections.append(section)


def render_sections(credential: Credential) -> SafeString:
    return mark_safe("".join(section(credential) for section in _sections))  # noqa: S308  (each is rendered by a template)
