"""No learner-facing template, and no template of the workspace's own pages, shows an untranslated English
word (issue 17).

Each template is read with Django's own template lexer: text outside ``{% translate %}`` and
``{% blocktranslate %}`` is stripped of its markup (tags, comments, scripts and styles, template
variables) and must then hold no word, except the names below that no language translates. The
attributes people read (``alt``, ``title``, ``aria-label``, ``placeholder``, ``aria-valuetext``, and the
workspace's ``data-confirm`` dialogs and ``data-label`` column names on phones) are checked the same way.
Code people copy (``<pre>``, ``<code>``) and example addresses in placeholders are not prose."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.template.base import Lexer, TokenType

import credstack

ROOT = Path(credstack.__file__).parent
LEARNER_TEMPLATES = sorted(
    path
    for pattern in (
        "web/templates/web/*.html",
        "learning/templates/learning/*.html",
        "learning/templates/learning/email/*",
        "portal/templates/portal/*.html",
        "portal/templates/portal/email/*",
        "credentials/templates/credentials/*.html",
        "verifier/templates/verifier/*.html",
        "achievements/templates/achievements/*.html",
        "delivery/templates/delivery/email.*",
    )
    for path in ROOT.glob(pattern)
)
# the workspace proper and its neighbours: credentials, issuing, bulk, members, settings, developers, webhooks,
# email templates, pathways
WORKSPACE_TEMPLATES = sorted(
    path
    for pattern in (
        "workspace/templates/workspace/*.html",
        "workspace/templates/workspace/widgets/*.html",
        "delivery/templates/delivery/*.html",
        "webhooks/templates/webhooks/*.html",
        "api/templates/api/*.html",
        "pathways/templates/pathways/*.html",
    )
    for path in ROOT.glob(pattern)
)
# names and codes, the same in every language
ALLOWED = {
    "credstack",
    "Open",
    "Badges",
    "W3C",
    "Verifiable",
    "Credentials",
    "LinkedIn",
    "PDF",
    "PNG",
    "SVG",
    "JSON",
    "ZIP",
    "CLR",
    "UTC",
    "QR",
    "JWT",
    "API",
    "URL",
    "HTTP",
}
READ_ATTRIBUTES = re.compile(
    r'\b(?:alt|title|aria-label|placeholder|aria-valuetext|data-confirm|data-label)="([^"]*)"'
)
MARKUP = re.compile(
    r"<!--.*?-->|<script.*?</script>|<style.*?</style>|<pre\b.*?</pre>|<code\b.*?</code>|<[^>]*>", re.S
)
# an example address or URL as a placeholder (certificates.example.edu, https://example.org/hooks)
ADDRESS = re.compile(r"^(?:https?://)?[\w-]+(?:\.[\w-]+)+(?:/[\w./-]*)?$")
WORD = re.compile(r"[A-Za-z][A-Za-z'’-]+")


def untranslated(source: str) -> list[str]:
    """The words of ``source`` outside translation tags."""
    outside: list[str] = []
    depth = 0
    for token in Lexer(source).tokenize():
        if token.token_type == TokenType.BLOCK:
            name = token.contents.split()[0] if token.contents else ""
            if name in ("blocktranslate", "blocktrans"):
                depth += 1
            elif name in ("endblocktranslate", "endblocktrans"):
                depth -= 1
        elif token.token_type == TokenType.TEXT and depth == 0:
            outside.append(token.contents)
        elif token.token_type == TokenType.VAR and depth == 0:
            outside.append("\x00")  # a variable: not words of the template
    text = "".join(outside)
    found: list[str] = []
    for value in READ_ATTRIBUTES.findall(text):
        if not ADDRESS.match(value):
            found += WORD.findall(value.replace("\x00", " "))
    prose = MARKUP.sub(" ", text).replace("&nbsp;", " ")
    prose = re.sub(r"&[a-z]+;|&#\d+;", " ", prose)
    found += WORD.findall(prose.replace("\x00", " "))
    return [w for w in found if w not in ALLOWED]


@pytest.mark.parametrize("path", LEARNER_TEMPLATES, ids=lambda p: str(p.relative_to(ROOT)))
def test_learner_template_has_no_untranslated_words(path):
    assert untranslated(path.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize("path", WORKSPACE_TEMPLATES, ids=lambda p: str(p.relative_to(ROOT)))
def test_workspace_template_has_no_untranslated_words(path):
    assert untranslated(path.read_text(encoding="utf-8")) == []


def test_the_check_finds_a_literal_word():
    assert untranslated('<p class="x">{% translate "Hello" %} world</p>') == ["world"]
    assert untranslated('<img alt="Badge">{% blocktranslate %}Issued {{ date }}{% endblocktranslate %}') == [
        "Badge"
    ]
    assert untranslated("<p>{{ name }} · {{ org.name }}</p><style>.a { color:red }</style>") == []
    # what the workspace shows in a confirmation dialog or as a column name on a phone is read too
    assert untranslated('<form data-confirm="Delete it?"><td data-label="Name">') == ["Delete", "it", "Name"]
    # code to copy and example addresses are not prose; a sentence in a placeholder is
    assert (
        untranslated('<pre>curl -H "Bearer"</pre><code>webhook-id</code><input placeholder="a.example.edu">')
        == []
    )
    assert untranslated('<input placeholder="e.g. CRM sync">') == ["CRM", "sync"]
