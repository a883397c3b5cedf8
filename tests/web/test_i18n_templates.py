"""No learner-facing template, and no template of the workspace's own pages, shows an untranslated English
word (issue 17).

Each template is read with Django's own template lexer: text outside ``{% translate %}`` and
``{% blocktranslate %}`` is stripped of its markup (tags, comments, scripts and styles, template
variables) and must then hold no word, except the names below that no language translates. The
attributes people read (``alt``, ``title``, ``aria-label``, ``placeholder``, ``aria-valuetext``, and the
workspace's ``data-confirm`` dialogs and ``data-label`` column names on phones) are checked the same way.
Code people copy (``<pre>``, ``<code>``) and example addresses in placeholders are not prose."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from django.template.base import Lexer, TokenType
from django.template.loader import render_to_string
from django.utils import translation

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


# ---- Python: the sentences the web-facing apps show, through a translation call -------------------------
#
# Every call below carries words a person reads on a page, in a form's errors, a flash message or an email:
# its text must come from ``gettext``/``gettext_lazy``/``ngettext``/``pgettext`` (or a name bound to one), never
# a literal or an f-string. Not checked, on purpose: the pure cores (``credstack.vc``, ``credstack.render``:
# they report codes that the pages translate), ``Http404`` texts (the 404 page says its own words), audit
# details and history notes (stored as written; the workspace reads credstack's own notes back in the reader's
# language), logs, and protocol answers to programs (OAuth, OpenID for VCI, MCP tools, inbound webhook
# deliveries), whose readers are programs and their developers.
SHOWN_CALLS = {
    # exceptions whose text a page shows
    "ValidationError": "all",
    "NotAllowed": "all",
    "PermissionDenied": "all",
    "CredentialStateError": "all",
    "TemplateError": "all",
    "PatternError": "all",
    "FrameworkError": "all",
    "LearningError": "all",
    "SignInError": "all",
    "CodeError": "all",
    "CertificateError": "all",
    # pages and answers with a sentence
    "HttpResponse": 0,
    "HttpResponseBadRequest": 0,
    "HttpResponseForbidden": 0,
    "HttpResponseGone": 0,
    "refused": 1,
    "_problem": (1, 2),
    "require_role": 3,
    "add_error": 1,
    "RegexValidator": 1,
}
MESSAGE_LEVELS = {"debug", "info", "success", "warning", "error"}
SHOWN_KEYWORDS = {"message", "subject", "title", "detail"}
NOT_SCANNED = {"vc", "render", "locale", "migrations"}
ENGLISH = re.compile(r"\b[a-z]{2,}\b")  # a lowercase word: prose (codes, paths and names are not)


def _call_name(func) -> str:
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""


def _literal_prose(node, constants: dict) -> bool:
    """Whether ``node`` builds its text from English of its own (a literal, an f-string, a join of them)
    rather than from a translation call."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return " " in node.value.strip() and bool(ENGLISH.search(node.value))
    if isinstance(node, ast.JoinedStr):
        literal = " ".join(v.value for v in node.values if isinstance(v, ast.Constant))
        return bool(ENGLISH.search(literal))
    if isinstance(node, ast.BinOp):
        return _literal_prose(node.left, constants) or _literal_prose(node.right, constants)
    if isinstance(node, ast.Dict):
        return any(_literal_prose(v, constants) for v in node.values)
    if isinstance(node, ast.DictComp):
        return _literal_prose(node.value, constants)
    if isinstance(node, (ast.List, ast.Tuple)):
        return any(_literal_prose(v, constants) for v in node.elts)
    if isinstance(node, ast.IfExp):
        return _literal_prose(node.body, constants) or _literal_prose(node.orelse, constants)
    if isinstance(node, ast.Name) and node.id in constants:
        return _literal_prose(constants[node.id], constants)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format":
        return _literal_prose(node.func.value, constants)
    return False  # a call (gettext...), a variable, an attribute


def untranslated_python(source: str) -> list[tuple[int, str]]:
    """(line, call) of each call in ``source`` that shows a person a sentence not from a translation call."""
    tree = ast.parse(source)
    constants = {
        node.targets[0].id: node.value
        for node in tree.body
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name)
    }
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = _call_name(node.func)
        shown: list = []
        if name in SHOWN_CALLS or name == "send_mail":
            shown = [k.value for k in node.keywords if k.arg in SHOWN_KEYWORDS]
        if name in SHOWN_CALLS:
            where = SHOWN_CALLS[name]
            positions = (
                range(len(node.args)) if where == "all" else where if isinstance(where, tuple) else (where,)
            )
            if name.startswith("HttpResponse") and any(
                k.arg == "content_type"
                and not (isinstance(k.value, ast.Constant) and "html" in str(k.value.value))
                for k in node.keywords
            ):
                positions = ()  # a machine's answer (text/plain to a proxy, an image), not a page
            shown += [node.args[i] for i in positions if i < len(node.args)]
        elif name == "send_mail":
            shown += node.args[:2]
        elif (
            name in MESSAGE_LEVELS
            and isinstance(node.func, ast.Attribute)
            and _call_name(node.func.value) == "messages"
            and len(node.args) > 1
        ):
            shown.append(node.args[1])
        if any(_literal_prose(arg, constants) for arg in shown):
            found.append((node.lineno, name))
    return found


CHOICE_NAMES = {"OpenID Connect", "SAML 2.0"}  # protocol names: the same in every language
CHOICE_BASES = {"TextChoices", "IntegerChoices", "Choices"}


def untranslated_choices(source: str) -> list[str]:
    """The labels of a model's choices written as plain text (a select, a table or ``get_FOO_display`` shows
    them): every label with a letter comes from ``gettext_lazy``, but for protocol names."""
    found = []
    for cls in ast.walk(ast.parse(source)):
        if not isinstance(cls, ast.ClassDef) or not {_call_name(b) for b in cls.bases} & CHOICE_BASES:
            continue
        for member in cls.body:
            if (
                isinstance(member, ast.Assign)
                and isinstance(member.value, ast.Tuple)
                and len(member.value.elts) > 1
            ):
                label = member.value.elts[-1]
                if isinstance(label, ast.Constant) and isinstance(label.value, str):
                    if re.search(r"[A-Za-z]", label.value) and label.value not in CHOICE_NAMES:
                        found.append(label.value)
    return found


WEB_FACING_MODULES = sorted(
    path
    for path in ROOT.rglob("*.py")
    if path.relative_to(ROOT).parts[0] not in NOT_SCANNED and "migrations" not in path.parts
)


def test_there_are_modules_to_check():
    assert len(WEB_FACING_MODULES) > 200
    assert ROOT / "lti" / "views.py" in WEB_FACING_MODULES and ROOT / "httpclient.py" in WEB_FACING_MODULES


@pytest.mark.parametrize("path", WEB_FACING_MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_python_shows_no_sentence_outside_a_translation_call(path):
    assert untranslated_python(path.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize("path", WEB_FACING_MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_choices_are_labelled_through_a_translation_call(path):
    assert untranslated_choices(path.read_text(encoding="utf-8")) == []


def test_the_choices_check_finds_a_plain_label():
    source = """
class Kind(models.TextChoices):
    A = "a", _("Uploaded")
    B = "b", "Created by credstack"
    OIDC = "oidc", "OpenID Connect"
    EQ = "eq", "="
"""
    assert untranslated_choices(source) == ["Created by credstack"]


def test_the_python_check_finds_a_literal_sentence():
    source = """
from django.utils.translation import gettext as _
REFUSAL = "Only owners change this."
def view(request, org, actor, exc):
    require_role(org, actor, "admin", _("Only owners and admins change this."))
    require_role(org, actor, "admin", REFUSAL)
    raise ValidationError({"host": f"{exc} is not a host name"})
    messages.error(request, "file: choose a file")
    messages.success(request, _("Saved."))
    form.add_error("role", str(exc))
    raise LearningError(_("lesson %(key)s is gone") % {"key": exc})
    raise FrameworkError(f"CFItems[{exc}]", _("is not an object"))
    return HttpResponse("ok\\n", content_type="text/plain")
    return HttpResponse("not allowed here", status=403)
"""
    assert untranslated_python(source) == [
        (6, "require_role"),
        (7, "ValidationError"),
        (8, "error"),
        (14, "HttpResponse"),
    ]


# ---- scripts: the words they show come from the page (web/_script_words.html), English only as a fallback --

SCRIPTS = sorted(
    path
    for path in ROOT.glob("*/static/**/*.js")
    if not path.name.endswith(".min.js") and path.name != "designer.js"  # the designer: its own table
)
JS_COMMENT = re.compile(r"/\*.*?\*/|//[^\n]*", re.S)
JS_FALLBACK = re.compile(r"""\bword\(\s*"[\w-]+"\s*,\s*"(?:[^"\\]|\\.)*"\s*\)""")
JS_STRING = re.compile(r""""((?:[^"\\\n]|\\.)*)"|'((?:[^'\\\n]|\\.)*)'""")
SENTENCE = re.compile(r"^[A-Z][a-z]+ [a-z]")  # "Copy this link:", not "use strict" nor ".prose table"


def untranslated_script(source: str) -> list[str]:
    """The sentences of a script shown without going through ``word(key, fallback)``."""
    code = JS_FALLBACK.sub(" ", JS_COMMENT.sub(" ", source))
    literals = [double or single for double, single in JS_STRING.findall(code)]
    return [text for text in literals if SENTENCE.match(text)]


def test_there_are_scripts_to_check():
    assert {p.name for p in SCRIPTS} >= {"page.js", "credential.js", "portal.js"}


@pytest.mark.parametrize("path", SCRIPTS, ids=lambda p: str(p.relative_to(ROOT)))
def test_script_shows_no_sentence_of_its_own(path):
    assert untranslated_script(path.read_text(encoding="utf-8")) == []


def test_the_script_check_finds_a_sentence_and_lets_a_fallback_be():
    source = '/* "Copy it now" */ b.textContent = word("copied", "Copied now"); window.prompt("Copy this link:", u);'
    assert untranslated_script(source) == ["Copy this link:"]


def test_every_word_a_script_asks_for_is_on_the_page():
    """Each ``word("key", …)`` of the scripts is an attribute of the words template (which every base
    template includes), in the page's language."""
    asked = {key for path in SCRIPTS for key in re.findall(r'\bword\(\s*"([\w-]+)"', path.read_text())}
    template = (ROOT / "web" / "templates" / "web" / "_script_words.html").read_text()
    assert asked and asked <= set(re.findall(r"data-([\w-]+)=", template))
    for base in ("web/templates/web/base.html", "workspace/templates/workspace/base.html"):
        assert '{% include "web/_script_words.html" %}' in (ROOT / base).read_text()
    with translation.override("de"):
        page = render_to_string("web/_script_words.html")
    assert (
        'data-link-copied="Link kopiert"' in page
        and 'data-copy-this-link="Kopieren Sie diesen Link:"' in page
    )
