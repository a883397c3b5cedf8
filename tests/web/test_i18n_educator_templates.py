"""The sign-in and account pages, the course editor, the certificate designer, integrations, LTI, the
Open Badges API consent pages, analytics, endorsements, wallets and SSO settings: no English word outside
a translation tag, every string of them in the German, French, Spanish and Arabic catalogues, and every word
the designer's script shows sent to it translated (issue 17).

The template check is the learner templates' one (``tests/web/test_i18n_templates.py``); here it also skips
``{% comment %}`` blocks, addresses (``https://…``), setting names (``CREDSTACK_TERMS_URL``) and code
between ``<code>`` tags, which no language translates."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command
from django.template import Context, Template
from django.utils import translation

import credstack
from credstack.designs.words import WORDS
from credstack.integrations.presets import PRESETS
from tests.web.test_i18n_templates import untranslated

ROOT = Path(credstack.__file__).parent
LOCALE = ROOT / "locale"
LANGUAGES = ("de", "fr", "es", "ar")
EDUCATOR_TEMPLATES = sorted(
    path
    for pattern in (
        "accounts/templates/account/*.html",
        "accounts/templates/account/email/*.txt",
        "accounts/templates/accounts/*.html",
        "accounts/templates/allauth/**/*.html",
        "courses/templates/courses/*.html",
        "designs/templates/designs/*.html",
        "integrations/templates/integrations/*.html",
        "learning/templates/learning/educator/*.html",
        "lti/templates/lti/*.html",
        "ob3api/templates/ob3api/*.html",
        "endorsements/templates/endorsements/*.html",
        "wallets/templates/wallets/*.html",
        "workspace/templates/workspace/skills.html",
    )
    for path in ROOT.glob(pattern)
)
# the apps whose pages these are (templates, forms, views, actions)
EDUCATOR_DIRS = (
    "accounts",
    "courses",
    "designs",
    "integrations",
    "lti",
    "ob3api",
    "endorsements",
    "wallets",
    "sso",
    "learning",
)
# names of products, formats and standards, the same in every language
NAMES = {"LTI", "LMS", "Moodle", "Canvas", "Brightspace", "JPEG", "CSV", "MB", "OpenID", "SAML", "IdP"}
# example values in the SSO form's placeholders: an identity provider's claim and group names, role codes
EXAMPLES = {"groups", "credential-team", "issuer", "it-admins", "admin"}
NOT_WORDS = re.compile(
    r"\{%\s*comment\s*%\}.*?\{%\s*endcomment\s*%\}|<code>[^<]*</code>|https?://[^\s\"'<]*"
    r"|\b[\w-]+(?:\.[\w-]+)+\b|\b[A-Z][A-Z0-9_]{3,}\b",
    re.S,
)


def words_outside_translation(source: str) -> list[str]:
    return [w for w in untranslated(NOT_WORDS.sub(" ", source)) if w not in NAMES | EXAMPLES]


def test_there_are_templates_to_check():
    assert len(EDUCATOR_TEMPLATES) > 40


@pytest.mark.parametrize("path", EDUCATOR_TEMPLATES, ids=lambda p: str(p.relative_to(ROOT)))
def test_educator_template_has_no_untranslated_words(path):
    assert words_outside_translation(path.read_text(encoding="utf-8")) == []


def test_the_check_sees_through_comments_and_addresses_only():
    source = (
        "{% comment %} djlint:off {% endcomment %}<p>See <code>result.email</code></p>"
        '<input placeholder="https://idp.example.edu/metadata">'
    )
    assert words_outside_translation(source) == ["See"]


def _msgids(po: Path, tmp_path: Path) -> set[str]:
    """Every msgid of a catalogue, translated or not (``msgen`` copies each msgid into its msgstr)."""
    en = tmp_path / "en.po"
    subprocess.run(["msgen", "-o", str(en), str(po)], check=True, capture_output=True)
    listing = subprocess.run(
        ["msgcat", "--no-wrap", "--no-location", str(en)], check=True, capture_output=True, text=True
    ).stdout
    return set(re.findall(r'^msgid "(.*)"$', listing, re.M)) - {""}


def test_the_catalogues_cover_every_string_of_these_pages(tmp_path, monkeypatch):
    """``makemessages`` over these apps finds no msgid that a catalogue lacks (a string wrapped after the
    catalogues were last updated)."""
    work = tmp_path / "credstack"
    (work / "locale").mkdir(parents=True)
    for folder in EDUCATOR_DIRS:
        for path in (ROOT / folder).rglob("*"):
            if path.is_file() and path.suffix in (".html", ".txt", ".py"):
                target = work / path.relative_to(ROOT)
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(path.read_bytes())
    monkeypatch.chdir(work)
    call_command("makemessages", locale=["de"], verbosity=0, no_location=True)
    wanted = _msgids(work / "locale" / "de" / "LC_MESSAGES" / "django.po", tmp_path)
    assert len(wanted) > 400
    for lang in LANGUAGES:
        known = _msgids(LOCALE / lang / "LC_MESSAGES" / "django.po", tmp_path)
        assert sorted(wanted - known) == [], lang


def test_every_word_of_the_designer_script_is_in_its_table():
    script = (ROOT / "workspace" / "static" / "workspace" / "designer.js").read_text(encoding="utf-8")
    used = set(re.findall(r'\bt\("((?:[^"\\]|\\.)*)"', script))
    assert used == set(WORDS)
    # no English sentence left in the script outside t(...): status lines, labels, titles, buttons
    assert not re.findall(r'(?:textContent|title|setStatus\() ?=? ?"[A-Z][a-z]+ [a-z]', script)


def test_every_integration_preset_is_shown_translated():
    """The presets' words are looked up where they are shown (``{% translate p.summary %}``), which escapes
    a ``%`` before the lookup: a summary or an instruction with one would stay English."""
    page = Template("{% load i18n %}{% translate text %}")
    for preset in PRESETS.values():
        for text in (preset.summary, preset.instructions, preset.key_label):
            with translation.override("fr"):
                shown = page.render(Context({"text": text}, autoescape=False))
            assert shown != text, text
