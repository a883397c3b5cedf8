"""Template filters for text in the viewer's language (issue 17).

``{{ achievement|translated:"name" }}``: an achievement's name or description in the active language, from
its translations, or as issued. ``{{ state|state_label }}``: a credential state (``valid``, ``revoked``...)
as a word of the active language."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext_lazy as _

from credstack.organizations import languages

register = template.Library()

STATE_LABELS = {
    "valid": _("Valid"),
    "revoked": _("Revoked"),
    "suspended": _("Suspended"),
    "expired": _("Expired"),
    "not-yet-valid": _("Not yet valid"),
    "replaced": _("Replaced"),
    "unverified": _("Unverified"),
    "invalid": _("Not valid"),
    "private": _("Private"),
}


@register.filter
def translated(obj, field: str) -> str:
    text = getattr(obj, field, "") or ""
    return languages.localized(text, getattr(obj, "translations", None), field)


@register.filter
def state_label(state: str) -> str:
    label = STATE_LABELS.get(str(state))
    return str(label) if label is not None else str(state).replace("-", " ").capitalize()
