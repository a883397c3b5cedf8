"""Issue 14: a decorative emoji showed as an empty box ("tofu") on the course completion page in a browser
with only the fonts credstack bundles and a plain Linux's DejaVu/Liberation: none of them draws emoji.
Icons are inline SVG; no page, email or translation asks a font for an emoji."""

from __future__ import annotations

import re
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src" / "credstack"
# pictographs, emoji modifiers, flags, and the variation selector that asks for emoji presentation
EMOJI = re.compile("[\U0001f000-\U0001faff\U0001f1e6-\U0001f1ff\ufe0f\u2b50\u2b55\u231a\u231b\u23f0-\u23f3]")


def test_no_template_email_or_translation_asks_for_an_emoji():
    found = []
    files = [
        *SRC.rglob("templates/**/*.html"),
        *SRC.rglob("templates/**/*.txt"),
        *SRC.rglob("locale/*/LC_MESSAGES/django.po"),
    ]
    assert len(files) > 100
    for path in files:
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if EMOJI.search(line):
                found.append(f"{path.relative_to(SRC)}:{n}: {line.strip()[:80]}")
    assert not found, "\n".join(found)
