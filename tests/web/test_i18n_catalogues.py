"""The translation catalogues (issue 17): complete for the learner side in German, French, Spanish and
Arabic, and the compiled ``.mo`` files committed beside them say the same as the ``.po`` files (a fresh
clone needs no compile step). ``msgfmt`` is GNU gettext's (scripts/system-deps.sh installs it)."""

from __future__ import annotations

import gettext
import os
import subprocess
from pathlib import Path

import pytest

import credstack

LOCALE = Path(credstack.__file__).parent / "locale"
LANGUAGES = ("de", "fr", "es", "ar")


def _po(lang: str) -> Path:
    return LOCALE / lang / "LC_MESSAGES" / "django.po"


def _catalog(mo: Path) -> dict:
    with mo.open("rb") as f:
        return dict(gettext.GNUTranslations(f)._catalog)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_message_is_translated(lang):
    """No untranslated and no fuzzy entry, and the placeholders of each translation match its msgid's."""
    run = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", "/dev/null", str(_po(lang))],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    stats = [line for line in run.stderr.splitlines() if "translated message" in line]
    assert stats and "untranslated" not in stats[-1] and "fuzzy" not in stats[-1], stats


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_committed_mo_is_compiled_from_the_po(lang, tmp_path):
    fresh = tmp_path / "django.mo"
    subprocess.run(["msgfmt", "--check", "-o", str(fresh), str(_po(lang))], check=True, capture_output=True)
    committed = LOCALE / lang / "LC_MESSAGES" / "django.mo"
    assert committed.is_file(), f"run: msgfmt -o {committed} {_po(lang)}"
    assert _catalog(committed) == _catalog(fresh), f"recompile: msgfmt -o {committed} {_po(lang)}"


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_catalogue_covers_every_string_of_the_learner_pages_and_the_workspace(lang, tmp_path):
    """``makemessages`` finds no msgid of the learner side or of the workspace's own pages that the catalogue
    lacks (a string wrapped after the catalogue was last updated)."""
    catalog = _catalog(LOCALE / lang / "LC_MESSAGES" / "django.mo")
    known = {key[0] if isinstance(key, tuple) else key for key in catalog}
    from django.core.management import call_command  # a management command: Django set up by pytest-django

    work = tmp_path / "credstack"
    (work / "locale").mkdir(parents=True)
    for folder in LEARNER_DIRS + WORKSPACE_DIRS:
        src = LOCALE.parent / folder
        for path in src.rglob("*"):
            if path.is_file() and path.suffix in (".html", ".txt", ".py"):
                target = work / path.relative_to(LOCALE.parent)
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(path.read_bytes())
    here = os.getcwd()
    try:
        os.chdir(work)
        call_command("makemessages", locale=[lang], verbosity=0, no_location=True)
    finally:
        os.chdir(here)
    fresh = work / "locale" / lang / "LC_MESSAGES" / "django.po"
    mo = tmp_path / "fresh.mo"
    # every entry of the fresh catalogue, translated or not, with its msgid as its own translation
    subprocess.run(["msgen", "-o", str(tmp_path / "en.po"), str(fresh)], check=True, capture_output=True)
    subprocess.run(["msgfmt", "-o", str(mo), str(tmp_path / "en.po")], check=True, capture_output=True)
    wanted = {key[0] if isinstance(key, tuple) else key for key in _catalog(mo)} - {""}
    assert sorted(wanted - known) == []


# the apps whose pages and emails learners and verifiers see (templates, views, actions, emails)
LEARNER_DIRS = ("web", "learning", "portal", "verifier", "credentials", "achievements", "delivery")
# the workspace proper and its neighbours (developers and API keys, webhooks, pathways)
WORKSPACE_DIRS = ("workspace", "webhooks", "api", "pathways")
