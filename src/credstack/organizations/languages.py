"""Which language a page or an email is in (issue 17, decision 0056).

Learner pages and emails speak the course's language, or else the organization's; a page of no
organization (or of one that set none) speaks the viewer's (the language switcher's cookie, else the
browser's Accept-Language). A viewer's explicit choice in the switcher wins on every public page. The
workspace speaks its user's own language (``accounts.Preferences``, default Accept-Language).

Languages are the ones credstack has catalogues for (``settings.LANGUAGES``); a tag such as ``pt-BR`` or
``de-AT`` is matched on its primary subtag, and a language credstack does not speak falls through to the
next rule.
"""

from __future__ import annotations

from django.conf import settings
from django.utils import translation

RTL = frozenset({"ar", "he", "fa", "ur"})


def codes() -> list[str]:
    return [code for code, _ in settings.LANGUAGES]


def supported(tag: str | None) -> str | None:
    """The credstack language for a language tag (``de-AT`` -> ``de``), or None when it has none."""
    if not tag:
        return None
    tag = tag.strip().lower().replace("_", "-")
    known = codes()
    if tag in known:
        return tag
    primary = tag.split("-")[0]
    return primary if primary in known else None


def chosen(request) -> str | None:
    """The viewer's explicit choice from the language switcher (its cookie), if any."""
    return supported(request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME))


def viewer_language(request) -> str:
    """The viewer's own language: the switcher's cookie, else Accept-Language, else the default."""
    return supported(translation.get_language_from_request(request)) or settings.LANGUAGE_CODE


def of(organization=None, course=None) -> str | None:
    """The language an organization (or one of its courses) speaks to learners, or None: the viewer's."""
    for owner in (course, organization):
        code = supported(getattr(owner, "language", "") or "")
        if code:
            return code
    return None


def for_email(organization=None, course=None, fallback: str | None = None) -> str:
    """The language of a learner email: the course's, else the organization's, else ``fallback`` (the
    language of the page that asked for it, say), else the default."""
    return of(organization, course) or supported(fallback) or settings.LANGUAGE_CODE


def for_page(request, organization=None, course=None) -> str:
    """The language of a learner or public page: the viewer's choice, the course's, the organization's,
    the browser's, in that order."""
    return chosen(request) or of(organization, course) or viewer_language(request)


def direction(code: str | None = None) -> str:
    """``rtl`` or ``ltr`` for a language (default: the active one)."""
    code = (code or translation.get_language() or settings.LANGUAGE_CODE).split("-")[0]
    return "rtl" if code in RTL else "ltr"


def localized(text: str, translations: dict | None, field: str, code: str | None = None) -> str:
    """``text`` in language ``code`` (default: the active one) from a ``{"de": {"name": ...}}`` map of
    translations, or ``text`` itself when that language has none."""
    code = supported(code or translation.get_language())
    entry = (translations or {}).get(code or "") or {}
    value = entry.get(field) if isinstance(entry, dict) else None
    return value if isinstance(value, str) and value.strip() else text
