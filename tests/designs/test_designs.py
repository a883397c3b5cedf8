"""Designs: immutable versions, the design_for_credential contract, the designer pages, uploads."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from credstack.designs import actions, editor
from credstack.designs.models import DesignAsset, DesignVersion
from credstack.designs.queries import design_for_credential
from credstack.render import SAMPLE_NAMES, render_pdf
from credstack.render.samples import sample_values
from tests.unchanged import changes_nothing


def _png(w=300, h=200, color=(200, 180, 120)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (w, h), color).save(buf, "PNG")
    return buf.getvalue()


def test_credential_keeps_its_design_version_when_the_design_changes(org, achievement, issue):
    from credstack.achievements.actions import update_achievement

    design = actions.create_design(org, name="Main", data=editor.build({"heading": "Certificate"}))
    update_achievement(achievement, design=design)
    first = issue()
    assert first.design_version_id == design.current_id
    actions.save_version(design, editor.build({"heading": "Diploma"}), {})
    design.refresh_from_db()
    second = issue(email="b@example.org")
    d1, _ = design_for_credential(first)
    d2, _ = design_for_credential(second)
    assert [e["text"] for e in d1["elements"] if e.get("id") == "heading"] == ["Certificate"]
    assert [e["text"] for e in d2["elements"] if e.get("id") == "heading"] == ["Diploma"]
    assert DesignVersion.objects.filter(design=design).count() == 2


def test_without_a_design_the_builtin_in_the_brand_is_used(org, issue):
    org.brand_color = "#aa3300"
    org.save()
    design, assets = design_for_credential(issue())
    assert design["background"]["color"] == "#aa3300" and assets == {}
    pdf = render_pdf(design, sample_values(), assets)
    assert pdf.startswith(b"%PDF")


@pytest.mark.parametrize("template", ["classic", "modern", "minimal", "elegant"])
@pytest.mark.parametrize("orientation", ["landscape", "portrait"])
def test_every_template_builds_a_valid_design(template, orientation):
    data = editor.build(
        {
            "template": template,
            "orientation": orientation,
            "size": "Letter",
            "qr": False,
            "extras": [{"text": "Score: {score}", "x": 30, "y": 30, "size": 12}],
        }
    )
    assert editor.problems(data, {}) == []
    assert not any(e["type"] == "qr" for e in data["elements"])
    assert data["elements"][-1]["text"] == "Score: {score}"


def test_preview_renders_every_sample_script(signed_in, org):
    client = signed_in("viewer")
    design = actions.create_design(org, name="Main", data=editor.build({"template": "modern"}))
    for script in [*SAMPLE_NAMES, "longest"]:
        r = client.post(f"/w/{org.slug}/designs/{design.public_id}/preview", {"sample": script})
        body = r.json()
        assert r.status_code == 200 and body["image"].startswith("data:image/jpeg;base64,"), script
        assert body["problems"] == [] and body["boxes"], script


def test_background_and_signature_uploads(signed_in, org, issue, achievement):
    from credstack.achievements.actions import update_achievement

    client = signed_in("admin")
    design = actions.create_design(org, name="Main", data=editor.build({}))
    url = f"/w/{org.slug}/designs/{design.public_id}/upload"
    r = client.post(url, {"role": "background", "file": SimpleUploadedFile("bg.png", _png(1200, 850))})
    assert r.status_code == 302
    r = client.post(
        url, {"role": "signature", "file": SimpleUploadedFile("sig.png", _png(300, 100, (0, 0, 0)))}
    )
    client.post(f"/w/{org.slug}/designs/{design.public_id}/publish")
    design.refresh_from_db()
    assert design.current.number == 2
    assert design.current.data["background"] == {"image": "background"}
    assert set(design.current.assets) == {"background", "signature-1"}
    update_achievement(achievement, design=design)
    data, assets = design_for_credential(issue())
    assert set(assets) == {"background", "signature-1"}
    assert render_pdf(data, sample_values(), assets).startswith(b"%PDF")


@pytest.mark.parametrize(
    "name, data, message",
    [
        ("bg.png", b"GIF89a" + b"\0" * 50, "not a file type credstack reads"),
        ("bg.png", b"%PDF-1.4\n%%EOF", "really a PDF file; its name says otherwise"),
        ("bg.pdf", b"%PDF-1.4 garbage", "damaged: it cannot be read as a PDF"),
        ("bg.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 40, "damaged"),
        (
            "bg.svg",
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            "upload PNG, JPEG, PDF",
        ),
    ],
)
def test_bad_uploads_are_refused_and_change_nothing(signed_in, org, name, data, message):
    client = signed_in("admin")
    design = actions.create_design(org, name="Main", data=editor.build({}))
    with changes_nothing():
        r = client.post(
            f"/w/{org.slug}/designs/{design.public_id}/upload",
            {"role": "background", "file": SimpleUploadedFile(name, data)},
            follow=True,
        )
    assert message in r.content.decode()
    design.refresh_from_db()
    assert DesignAsset.objects.count() == 0 and design.versions.count() == 1 and design.draft_data is None


def test_design_list_and_thumbnail(signed_in, org):
    client = signed_in("viewer")
    design = actions.create_design(org, name="Main", data=editor.build({}))
    assert "Main" in client.get(f"/w/{org.slug}/designs/").content.decode()
    r = client.get(f"/w/{org.slug}/designs/{design.public_id}/thumb.png")
    assert r["Content-Type"] == "image/png" and r.content.startswith(b"\x89PNG")


def test_the_pdf_uses_the_issued_design_version_merge_fields_and_name(org, achievement, run_on_commit):
    """Through the public {id}.pdf link (rendered by credentials.files from design_for_credential)."""
    import io

    from pypdf import PdfReader

    from credstack.achievements.actions import update_achievement
    from credstack.workspace import bulk

    design = actions.create_design(
        org,
        name="Main",
        data=editor.build(
            {"heading": "Certificate", "extras": [{"text": "Cohort {cohort}", "x": 40, "y": 150}]}
        ),
    )
    update_achievement(achievement, design=design)
    job = bulk.prepare_job(
        organization=org,
        achievement=achievement,
        filename="c.csv",
        kind="text/csv",
        data="name,email,cohort\nАнастасия Кузнецова,a@example.org,Spring 2026\n".encode(),
    )
    with run_on_commit():
        bulk.confirm_job(job)
    credential = job.rows.get().credential
    # later edits change neither the design nor the name on this certificate
    actions.save_version(design, editor.build({"heading": "Diploma"}), {})
    update_achievement(achievement, name="Renamed Course")
    from django.test import Client

    pdf = Client().get(f"/c/{credential.public_id}.pdf").content
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert "Анастасия Кузнецова" in text and "Cohort Spring 2026" in text
    assert "Python Basics" in text and "Renamed" not in text and "Diploma" not in text
