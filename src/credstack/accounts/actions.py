"""A workspace user's own settings (issue 17: the workspace in the user's language)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from credstack.organizations import audit, languages
from credstack.organizations.actors import Actor

from .models import Preferences


def set_language(user, language: str, actor: Actor) -> Preferences:
    """Set the language of ``user``'s workspace (a code of settings.LANGUAGES; "" = the browser's).
    Only the user changes their own."""
    if actor.user_or_none is None or actor.user_or_none.pk != user.pk:
        raise ValidationError(_("Only you change your own language."))
    if language and languages.supported(language) != language:
        raise ValidationError({"language": _("Choose one of the languages listed.")})
    with transaction.atomic():
        prefs, _created = Preferences.objects.select_for_update().get_or_create(user=user)
        if prefs.language != language:
            prefs.language = language
            prefs.save(update_fields=["language"])
            audit.record(None, actor, "account.language", user.pk, language or "browser")
    return prefs


def language_of(user) -> str:
    """The user's workspace language, or "" (the browser's)."""
    if not getattr(user, "is_authenticated", False):
        return ""
    prefs = Preferences.objects.filter(user=user).values_list("language", flat=True).first()
    return prefs or ""
