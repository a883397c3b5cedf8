"""Permanent download links: the PDF certificate, the baked PNG and SVG badges. Each carries the signed
credential, which the independent verifier (Digital Bazaar) accepts as extracted from the file."""

from __future__ import annotations

import io
import json
import subprocess
import sys

import pytest

from credstack.credentials import actions, engagement
from credstack.credentials.models import Credential, CredentialEvent
from credstack.credentials.resolver import local_fetch
from credstack.render import extract_attachments
from credstack.vc import baking
from tests.interop.conftest import node_verifier  # noqa: F401  (fixture)
from tests.pdftext import page_text as _pdf_text

pytestmark = pytest.mark.django_db

NAMES = ["Ada Lovelace", "محمد عبد الرحمن الفارسي", "王小明", "अर्जुन श्रीवास्तव", "Анастасия Кузнецова"]


def vc_status_entries(doc: dict) -> list[dict]:
    entries = doc["credentialStatus"]
    return entries if isinstance(entries, list) else [entries]


def _documents(credential: Credential) -> dict:
    doc = credential.signed()
    documents = {credential.organization.did: local_fetch(credential.organization.did)}
    for entry in vc_status_entries(doc):
        documents[entry["statusListCredential"]] = local_fetch(entry["statusListCredential"])
    return documents


@pytest.mark.interop
@pytest.mark.parametrize("name", NAMES)
def test_pdf_carries_the_credential_and_the_name(client, issue, node_verifier, name):  # noqa: F811
    credential = issue(name=name)
    response = client.get(f"/c/{credential.public_id}.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'attachment; filename="certificate-{credential.public_id}.pdf"'
    pdf = response.content
    attached = extract_attachments(pdf)["credential.json"]
    assert attached.decode() == credential.document
    result = node_verifier.verify(json.loads(attached), _documents(credential), check_status=True)
    assert result["verified"] is True, result["errors"]
    assert name in _pdf_text(pdf)


@pytest.mark.interop
def test_baked_png_and_svg_verify_in_the_independent_verifier(client, issue, node_verifier):  # noqa: F811
    credential = issue(name="Zoë O'Brien 🎓")
    png = client.get(f"/c/{credential.public_id}.png")
    assert png.status_code == 200 and png["Content-Type"] == "image/png"
    payloads = baking.png_payloads(png.content)
    # the stored credential, byte for byte; and the OB 2.0 hosted assertion's JSON (OB 2.0 baking)
    assert payloads[baking.OB3_KEYWORD] == credential.document
    hosted = client.get(f"/c/{credential.public_id}/ob2").json()
    assert json.loads(payloads[baking.OB2_KEYWORD]) == hosted
    assert hosted["id"] == f"{credential.uri}/ob2"
    from_png = json.loads(payloads[baking.OB3_KEYWORD])
    svg = client.get(f"/c/{credential.public_id}.svg")
    assert svg.status_code == 200 and svg["Content-Type"].startswith("image/svg+xml")
    svg_payloads = baking.svg_payloads(svg.content)
    assert svg_payloads[baking.OB3_KEYWORD] == credential.document
    assert json.loads(svg_payloads[baking.OB2_KEYWORD]) == hosted
    from_svg = json.loads(svg_payloads[baking.OB3_KEYWORD])
    for doc in (from_png, from_svg):
        assert doc == credential.signed()
        result = node_verifier.verify(doc, _documents(credential), check_status=True)
        assert result["verified"] is True, result["errors"]
    # the PNG is still a PNG every image library opens
    from PIL import Image

    assert Image.open(io.BytesIO(png.content)).size == (512, 512)


@pytest.mark.interop
def test_revoked_credential_file_says_revoked(client, issue, node_verifier):  # noqa: F811
    credential = issue()
    actions.revoke_credential(credential, reason="issued in error")
    pdf = client.get(f"/c/{credential.public_id}.pdf").content
    doc = json.loads(extract_attachments(pdf)["credential.json"])
    credential.refresh_from_db()
    result = node_verifier.verify(doc, _documents(credential), check_status=True)
    # one suspension entry (decision 0032): Digital Bazaar sees the bit set for good, not valid
    assert result["valid"] is False and result["suspended"] is True


def test_cli_verifies_pdf_png_and_svg_from_file(client, issue, tmp_path):
    credential = issue(name="Grace Hopper")
    for ext in ("pdf", "png", "svg"):
        path = tmp_path / f"certificate.{ext}"
        path.write_bytes(client.get(f"/c/{credential.public_id}.{ext}").content)
        # offline: the proof is checked from the file; the did:web key cannot be fetched -> "unverified"
        proc = subprocess.run(
            [sys.executable, "-m", "credstack.cli", "verify", str(path), "--offline", "--json"],
            capture_output=True,
            text=True,
            timeout=60,
        )
        report = json.loads(proc.stdout)
        assert proc.returncode == 1, proc.stderr
        assert report["checks"][0]["name"] == "format" and report["checks"][0]["ok"] is True
        assert report["status"] == "unverified"


def test_cli_explains_unreadable_files(tmp_path):
    bad = tmp_path / "photo.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 40)
    proc = subprocess.run(
        [sys.executable, "-m", "credstack.cli", "verify", str(bad)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2
    assert "cannot read" in proc.stderr and "PNG" in proc.stderr


def test_files_of_unknown_credentials_are_404(client, db):
    for ext in ("pdf", "png", "svg", "json"):
        assert client.get(f"/c/nothing.{ext}").status_code == 404


def test_downloads_and_views_are_recorded(client, issue):
    credential = issue()
    client.get(f"/c/{credential.public_id}")
    client.get(f"/c/{credential.public_id}.pdf")
    client.get(f"/c/{credential.public_id}.json")
    client.get(f"/c/{credential.public_id}", HTTP_USER_AGENT="LinkedInBot/1.0")  # link previews don't count
    engagement.flush()
    kinds = list(CredentialEvent.objects.filter(credential=credential).values_list("kind", "note"))
    assert ("viewed", "") in kinds
    assert ("downloaded", "pdf") in kinds and ("downloaded", "json") in kinds
    assert sum(1 for k, _ in kinds if k == "viewed") == 1


def test_design_change_never_changes_an_issued_pdf(client, issue):
    credential = issue()
    first = client.get(f"/c/{credential.public_id}.pdf").content
    again = client.get(f"/c/{credential.public_id}.pdf").content
    assert _pdf_text(first) == _pdf_text(again)
    assert extract_attachments(first) == extract_attachments(again)
