"""Certificates drawn one after the other in one process: each shows exactly its own text.

Rendering keeps things across certificates (subset fonts by glyphs, laid-out text, design versions and
their uploads by design and number, decision 0072): a cache keyed by the wrong thing would put one
recipient's name, or one design's heading, on another's certificate. Read back with PDFium (what
Chrome and pypdfium2 show and extract)."""

from __future__ import annotations

import pytest
from django.db import transaction

from credstack.achievements.actions import update_achievement
from credstack.credentials import files
from credstack.credentials.models import Credential
from credstack.designs import actions as designs
from credstack.designs import editor
from tests.pdftext import page_text as _text

pytestmark = pytest.mark.django_db


def _squashed(text: str) -> str:
    """Without spaces, in capitals: templates set headings in capitals, some letter-spaced."""
    return "".join(text.split()).upper()


def _design(org, heading: str, template: str):
    return designs.create_design(
        org, name=heading, data=editor.build({"heading": heading, "template": template})
    )


# (recipient, heading, template): other names, other scripts, other designs
CASES = [
    ("Ada Lovelace", "Certificate of Mastery", "classic"),
    ("محمد عبد الرحمن الفارسي", "Diploma in Navigation", "modern"),
    ("王小明", "Award of Excellence", "elegant"),
    ("अर्जुन श्रीवास्तव", "Certificate of Mastery", "classic"),
    ("Анастасия Кузнецова", "Diploma in Navigation", "modern"),
]


def _issue_all(org, achievement, issue) -> list[Credential]:
    made: dict[str, object] = {}
    credentials = []
    for i, (name, heading, template) in enumerate(CASES):
        if heading not in made:
            made[heading] = _design(org, heading, template)
        update_achievement(achievement, design=made[heading])
        credentials.append(issue(name=name, email=f"r{i}@example.org"))
    return credentials


def _check_own_text(credential: Credential, pdf: bytes) -> None:
    name = credential.recipient_name
    heading = next(h for n, h, _ in CASES if n == name)
    text = _text(pdf)
    assert name in text, text
    assert _squashed(heading) in _squashed(text), text
    for other, other_heading, _ in CASES:
        if other != name:
            assert other not in text
        if other_heading != heading:
            assert _squashed(other_heading) not in _squashed(text)


def test_each_certificate_shows_its_own_name_and_design(org, achievement, issue):
    credentials = _issue_all(org, achievement, issue)
    first = [files.certificate_pdf(c) for c in credentials]
    for credential, pdf in zip(credentials, first, strict=True):
        _check_own_text(credential, pdf)
    # drawn again, in the other order, after everything is in the caches: the same files
    again = [files.certificate_pdf(c) for c in reversed(credentials)][::-1]
    assert again == first


def test_a_task_rendering_a_list_gives_each_its_own(org, achievement, issue, settings):
    settings.CREDSTACK_KEEP_CERTIFICATES = True
    credentials = _issue_all(org, achievement, issue)
    alone = {c.pk: files.render_certificate(c) for c in credentials}
    assert files.render_certificates.call([c.pk for c in credentials]) == len(credentials)
    for credential in credentials:
        stored = files.certificate_pdf(credential)  # read from the storage the task wrote
        assert stored == alone[credential.pk]
        _check_own_text(credential, stored)


def test_a_design_made_again_after_a_rollback_is_not_mistaken_for_the_first(org, achievement, issue):
    """SQLite hands a rolled-back row's id out again: a design or version remembered by its id would
    come back for the new one."""
    with transaction.atomic():
        update_achievement(achievement, design=_design(org, "Certificate of Mastery", "classic"))
        gone = issue(name="Ada Lovelace")
        assert "CERTIFICATEOFMASTERY" in _squashed(_text(files.certificate_pdf(gone)))
        transaction.set_rollback(True)
    achievement.refresh_from_db()
    update_achievement(achievement, design=_design(org, "Diploma in Navigation", "classic"))
    credential = issue(name="Ada Lovelace")
    text = _squashed(_text(files.certificate_pdf(credential)))
    assert "DIPLOMAINNAVIGATION" in text and "CERTIFICATEOFMASTERY" not in text
