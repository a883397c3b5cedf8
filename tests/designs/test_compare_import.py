"""Comparing two versions (their renders and what changed), restoring one, importing a PDF or image as
the background of a new design, and rotation kept through draft and publish."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from credstack.designs import actions, editor
from credstack.designs.models import Design
from credstack.organizations.models import AuditEntry
from credstack.render import render_pdf
from tests.unchanged import changes_nothing

from .test_designer import _el, _png, _post_design, _url


@pytest.fixture
def design(org):
    return actions.create_design(org, name="Main", data=editor.gallery_design("modern-teal"))


def _publish_with(client, org, design, change):
    data, assets = design.working_copy()
    change(data)
    assert _post_design(client, _url(org, design, "draft"), data, assets).status_code == 200
    client.post(_url(org, design, "publish"))
    design.refresh_from_db()


def test_compare_shows_both_renders_and_lists_what_changed(signed_in, org, design):
    client = signed_in("admin")

    def edit(data):
        _el(data, "heading")["text"] = "Diploma of Excellence"
        _el(data, "heading")["rotate"] = -8
        _el(data, "name")["color"] = "#aa0000"
        data["elements"] = [e for e in data["elements"] if e.get("id") != "qr"]

    _publish_with(client, org, design, edit)
    r = client.get(_url(org, design, "compare") + "?a=1&b=2")
    assert r.status_code == 200
    html = r.content.decode()
    changes = r.context["changes"]
    heading = next(c for c in changes if c.startswith("heading:"))
    assert "“Diploma of Excellence”" in heading and "rotated 0° → -8°" in heading
    assert any(c.startswith("name:") and "restyled (color)" in c for c in changes)
    assert "qr: removed" in changes
    assert not any(c.startswith("achievement") for c in changes)  # unchanged fields are not listed
    for which in ("1", "2"):
        assert f"/versions/{which}.png" in html
        png = client.get(_url(org, design, f"versions/{which}.png"))
        assert png.status_code == 200 and png["Content-Type"] == "image/png"
        Image.open(io.BytesIO(png.content)).verify()
    a = Image.open(io.BytesIO(client.get(_url(org, design, "versions/1.png")).content))
    b = Image.open(io.BytesIO(client.get(_url(org, design, "versions/2.png")).content))
    assert a.size == b.size and a.tobytes() != b.tobytes()
    # restoring version 1 from the comparison opens it as the draft
    assert 'name="version" value="1"' in html
    client.post(_url(org, design, "restore"), {"version": "1"})
    design.refresh_from_db()
    assert _el(design.draft_data, "heading")["text"] != "Diploma of Excellence"
    same = client.get(_url(org, design, "compare") + "?a=1&b=draft")
    assert same.context["changes"] == []


def test_compare_of_an_unknown_version_says_so(signed_in, org, design):
    client = signed_in("viewer")
    r = client.get(_url(org, design, "compare") + "?a=1&b=9", follow=True)
    assert "Choose two versions of this design to compare." in r.content.decode()
    assert client.get(_url(org, design, "versions/9.png")).status_code == 404


def _pdf_artwork(width_pt: float, height_pt: float) -> bytes:
    design = {
        "version": 1,
        "page": {"size": "A4", "orientation": "portrait"},
        "background": {"fill": "#f4ecd8"},
        "elements": [{"type": "rect", "x": 8, "y": 8, "width": 194, "height": 281, "stroke": "#7a5c1e"}],
    }
    return render_pdf(design, {})


def test_a_pdf_becomes_the_background_of_a_new_design_in_its_own_shape(signed_in, org):
    client = signed_in("admin")
    r = client.post(
        f"/w/{org.slug}/designs/import",
        {"file": SimpleUploadedFile("Our artwork.pdf", _pdf_artwork(595, 842))},
    )
    created = Design.objects.get(name="Our artwork")
    assert r["Location"].endswith(f"/designs/{created.public_id}/")
    data, assets = created.working_copy()
    assert data["page"] == {"size": "A4", "orientation": "portrait"}
    assert data["background"] == {"pdf": "background"} and "background" in assets
    ids = {e.get("id") for e in data["elements"]}
    assert {"name", "achievement"} <= ids
    assert all(e["type"] in ("text", "image", "qr") for e in data["elements"])
    assert AuditEntry.objects.filter(organization=org, action="design.imported").exists()
    page = client.get(f"/w/{org.slug}/designs/{created.public_id}/")
    assert page.status_code == 200


def test_an_image_in_letter_landscape_shape_gives_a_letter_landscape_page(signed_in, org):
    client = signed_in("admin")
    client.post(
        f"/w/{org.slug}/designs/import",
        {"file": SimpleUploadedFile("frame.png", _png(1100, 850))},
    )
    created = Design.objects.get()
    assert created.name == "frame"
    assert created.current.data["page"] == {"size": "Letter", "orientation": "landscape"}
    assert created.current.data["background"] == {"image": "background"}


def test_a_file_that_is_not_artwork_is_refused_and_nothing_is_made(signed_in, org):
    client = signed_in("admin")
    with changes_nothing():
        r = client.post(
            f"/w/{org.slug}/designs/import",
            {"file": SimpleUploadedFile("notes.pdf", b"hello, not a pdf")},
            follow=True,
        )
    assert "Not imported" in r.content.decode()
    assert not Design.objects.exists()
    viewer = signed_in("viewer")
    assert (
        viewer.post(
            f"/w/{org.slug}/designs/import", {"file": SimpleUploadedFile("f.png", _png())}
        ).status_code
        == 403
    )


def test_a_rotation_the_preview_accepts_is_kept_and_a_bad_one_is_refused_in_the_pages_words(
    signed_in, org, design
):
    client = signed_in("admin")
    data, assets = design.working_copy()
    _el(data, "heading")["rotate"] = 12.5
    assert _post_design(client, _url(org, design, "preview"), data, assets).status_code == 200
    assert _post_design(client, _url(org, design, "draft"), data, assets).status_code == 200
    client.post(_url(org, design, "publish"))
    design.refresh_from_db()
    assert _el(design.current.data, "heading")["rotate"] == 12.5
    _el(data, "heading")["rotate"] = 720
    r = _post_design(client, _url(org, design, "draft"), data, assets)
    assert r.status_code == 400
    (problem,) = r.json()["problems"]
    assert problem["field"] == "rotate" and problem["message"].startswith(
        "Rotation must be a number from -360 to 360"
    )


def test_the_font_menu_offers_every_bundled_family(signed_in, org, design):
    from credstack.render.fonts import FAMILIES

    r = signed_in("admin").get(_url(org, design))
    fonts = r.context["state"]["fonts"]
    assert set(fonts) == set(FAMILIES)
    html = r.content.decode()
    for family in FAMILIES:
        assert f'"{family}": "Noto {family.capitalize()}: Latin, Greek, Cyrillic, Arabic' in html
