"""A revoked or suspended credential's certificate and badges say so (issue 14): a diagonal band with the
state across the PDF and the badge images, its page says the files are marked, and the credential
embedded in the files stays as issued, so a verifier of the file still reads the live status."""

from __future__ import annotations

import io
import json

import pypdfium2 as pdfium
import pytest
from django.test import Client
from PIL import Image, ImageChops

from credstack.credentials import actions
from credstack.credentials.resolver import local_fetch
from credstack.render import extract_attachments
from credstack.vc import baking
from credstack.vc import verify as vc_verify
from tests.pdftext import page_text as pdf_text


@pytest.fixture(autouse=True)
def _keep_certificates(settings):
    """These tests are about the kept certificates (CREDSTACK_KEEP_CERTIFICATES, decision 0048)."""
    settings.CREDSTACK_KEEP_CERTIFICATES = True


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    return tmp_path


def test_a_revoked_certificate_reads_revoked_and_still_verifies_as_revoked(issue, media):
    credential = issue()
    client = Client()
    before = client.get(f"/c/{credential.public_id}.pdf").content  # rendered and stored while active
    assert "REVOKED" not in pdf_text(before) and "Ada Lovelace" in pdf_text(before)
    assert list(media.glob("certificates/*.pdf"))
    actions.revoke_credential(credential, reason="Exam rules broken")
    after = client.get(f"/c/{credential.public_id}.pdf").content  # never the copy stored before
    text = pdf_text(after)
    assert "REVOKED" in text and "Revoked by Acme Training on" in text and credential.uri in text
    assert "Ada Lovelace" in text  # still the certificate, marked
    # the signed credential inside is the one issued, and a verifier of the file sees it revoked
    embedded = extract_attachments(after)["credential.json"]
    assert embedded == credential.document.encode("utf-8")
    report = vc_verify.verify_credential(json.loads(embedded), fetch=local_fetch)
    assert report.status in ("revoked", "suspended") and report.status != "valid"


def test_a_suspended_certificate_reads_suspended_and_reinstating_unmarks_it(issue, media):
    credential = issue()
    actions.suspend_credential(credential, reason="checking")
    text = pdf_text(Client().get(f"/c/{credential.public_id}.pdf").content)
    assert "SUSPENDED" in text and "Suspended by Acme Training" in text
    actions.reinstate_credential(credential)
    text = pdf_text(Client().get(f"/c/{credential.public_id}.pdf").content)
    assert "SUSPENDED" not in text and "REVOKED" not in text


@pytest.mark.parametrize(
    ("language", "band", "note"),
    [
        ("de", "WIDERRUFEN", ["Widerrufen von Acme Training am", "Dezember", "prüfen unter"]),
        # the PDF's text comes out in visual order: the Latin name reads reversed inside the Arabic line
        ("ar", "ملغاة", ["ألغتها", "Acme", "ديسمبر", "منها"]),
    ],
)
def test_the_band_and_its_line_are_in_the_credentials_language(issue, media, org, language, band, note):
    """A learner's certificate was issued in the organization's language: its band says so in it too, in
    the revoked red (the colour follows the state, not the word)."""
    org.language = language
    org.save(update_fields=["language"])
    credential = issue()
    actions.revoke_credential(credential, reason="Exam rules broken")
    pdf = Client().get(f"/c/{credential.public_id}.pdf").content
    text = pdf_text(pdf)
    assert band in text and all(word in text for word in note) and credential.uri in text
    assert "REVOKED" not in text and "Revoked by" not in text
    page = pdfium.PdfDocument(pdf)[0].render(scale=0.5).to_pil().convert("RGB")
    width, height = page.size
    r, g, b = page.getpixel(
        (width // 2 - width // 5, height // 2 + height // 5)
    )  # on the band, off its words
    assert r > 150 and g < 90 and b < 90  # red, not the suspended brown


def _pixels(png: bytes) -> Image.Image:
    return Image.open(io.BytesIO(png)).convert("RGBA")


def test_badges_are_marked_and_keep_the_baked_credential(issue):
    credential = issue()
    client = Client()
    png_before = client.get(f"/c/{credential.public_id}.png").content
    svg_before = client.get(f"/c/{credential.public_id}.svg").content.decode()
    actions.revoke_credential(credential, reason="Exam rules broken")
    png_after = client.get(f"/c/{credential.public_id}.png").content
    svg_after = client.get(f"/c/{credential.public_id}.svg").content.decode()
    a, b = _pixels(png_before), _pixels(png_after)
    assert a.size == b.size
    box = ImageChops.difference(a, b).getbbox()
    assert box is not None and (box[2] - box[0]) > a.size[0] * 0.8  # a band right across
    # the band is red where the badge was not: the centre pixel
    r, g, _, _ = b.getpixel((a.size[0] // 2, a.size[1] // 2))
    assert r > 150 and g < 120
    assert baking.png_payloads(png_after)[baking.OB3_KEYWORD] == credential.document
    assert "REVOKED" in svg_after and "REVOKED" not in svg_before
    assert json.loads(next(iter(baking.svg_payloads(svg_after).values()))) == json.loads(credential.document)


def test_the_page_says_the_files_are_marked(issue):
    credential = issue()
    page = Client().get(f"/c/{credential.public_id}").content.decode()
    assert 'id="files-marked"' not in page
    actions.suspend_credential(credential, reason="checking")
    page = Client().get(f"/c/{credential.public_id}").content.decode()
    assert "Its certificate (PDF) and badge now carry a “SUSPENDED” band" in page
    assert "checking" not in page  # a suspension's reason stays private
    actions.revoke_credential(credential, reason="Exam rules broken")
    page = Client().get(f"/c/{credential.public_id}").content.decode()
    assert "carry a “REVOKED” band" in page and "Exam rules broken" in page
    assert f"{credential.uri}.pdf" not in page.split('id="files-marked"')[1].split("</p>")[0]
