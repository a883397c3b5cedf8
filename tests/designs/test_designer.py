"""The designer's endpoints: drafts kept as you go, uploads into the draft (no edit lost), publish makes
a version, any position the preview accepts the save accepts, problems tied to their field in the
page's words, contrast warnings, the gallery, duplicate and restore."""

from __future__ import annotations

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from pypdf import PdfReader

from credstack.designs import actions, editor
from credstack.designs.models import Design
from credstack.organizations.models import AuditEntry
from credstack.render import render_pdf, sample_values
from tests.unchanged import changes_nothing


def _png(w=300, h=200, color=(200, 180, 120)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (w, h), color).save(buf, "PNG")
    return buf.getvalue()


def _url(org, design, what=""):
    return f"/w/{org.slug}/designs/{design.public_id}/{what}"


def _post_design(client, url, data, assets=None, **extra):
    return client.post(url, {"design": json.dumps(data), "assets": json.dumps(assets or {}), **extra})


def _el(data, el_id):
    return next(e for e in data["elements"] if e.get("id") == el_id)


@pytest.fixture
def design(org):
    return actions.create_design(org, name="Main", data=editor.gallery_design("modern-teal"))


def test_an_upload_keeps_every_unpublished_edit(signed_in, org, design):
    """The bug: changing the heading, then uploading a signature, reverted the heading."""
    client = signed_in("admin")
    data, assets = design.working_copy()
    _el(data, "heading")["text"] = "Certificate of Achievement"
    assert _post_design(client, _url(org, design, "draft"), data, assets).status_code == 200
    r = client.post(
        _url(org, design, "upload"),
        {"role": "signature", "file": SimpleUploadedFile("sig.png", _png(300, 100, (0, 0, 0)))},
        HTTP_ACCEPT="application/json",
    )
    assert r.status_code == 200, r.content
    body = r.json()
    assert _el(body["design"], "heading")["text"] == "Certificate of Achievement"
    placed = [e for e in body["design"]["elements"] if e.get("asset") == body["name"]]
    assert len(placed) == 1 and placed[0]["width"] / placed[0]["height"] == pytest.approx(3, rel=0.02)
    design.refresh_from_db()
    assert design.versions.count() == 1  # nothing published yet
    assert _el(design.draft_data, "heading")["text"] == "Certificate of Achievement"
    assert design.draft_assets[body["name"]] == body["public_id"]


def test_what_you_type_is_what_prints_heading_not_glued_to_a_hidden_subheading(signed_in, org, design):
    client = signed_in("admin")
    data, assets = design.working_copy()
    _el(data, "heading")["text"] = "Certificate of Excellence"
    _post_design(client, _url(org, design, "draft"), data, assets)
    r = client.post(_url(org, design, "publish"), follow=True)
    assert "Published as version 2" in r.content.decode()
    design.refresh_from_db()
    pdf = render_pdf(design.current.data, sample_values(), {})
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text().replace(" ", "")  # letter-spaced
    assert "CERTIFICATEOFEXCELLENCE" in text and "ACHIEVEMENT" not in text
    # the editor page shows the draft as it is now, not an older copy
    page = client.get(_url(org, design)).content.decode()
    assert "Certificate of Excellence" in page


def test_any_position_the_preview_accepts_the_draft_and_publish_accept(signed_in, org, design):
    client = signed_in("admin")
    data, assets = design.working_copy()
    _el(data, "name")["x"] = 113.1  # the old form refused this (step 0.5) without a word
    _el(data, "name")["y"] = 77.37
    assert _post_design(client, _url(org, design, "preview"), data, assets).status_code == 200
    assert _post_design(client, _url(org, design, "draft"), data, assets).status_code == 200
    assert client.post(_url(org, design, "publish")).status_code == 302
    design.refresh_from_db()
    assert _el(design.current.data, "name")["x"] == 113.1 and _el(design.current.data, "name")["y"] == 77.37


def test_bad_values_are_refused_with_a_message_for_their_field_and_change_nothing(signed_in, org, design):
    client = signed_in("admin")
    data, assets = design.working_copy()
    index = next(i for i, e in enumerate(data["elements"]) if e.get("id") == "name")
    data["elements"][index]["size"] = 900
    data["elements"][index]["color"] = "white"
    data["elements"][index]["text"] = "{recipient_name"
    with changes_nothing():
        r = _post_design(client, _url(org, design, "draft"), data, assets)
    assert r.status_code == 400
    problems = {(p["element"], p["field"]): p["message"] for p in r.json()["problems"]}
    assert problems[(index, "size")] == "Size must be a number of points from 2 to 400 (got 900)"
    assert problems[(index, "color")].startswith("Colour must be a colour like #1d4e89")
    assert problems[(index, "text")].startswith("Text: unbalanced '{'")
    # the preview says exactly the same: what one accepts the other accepts
    r = _post_design(client, _url(org, design, "preview"), data, assets)
    assert r.status_code == 400 and {(p["element"], p["field"]) for p in r.json()["problems"]} == set(
        problems
    )
    # an upload that is not the organization's, and JSON that is not a design
    with changes_nothing():
        r = _post_design(client, _url(org, design, "draft"), data | {"elements": []}, {"logo": "nope"})
        assert r.status_code == 400 and "no such uploaded file" in r.json()["problems"][0]["message"]
        r = client.post(_url(org, design, "draft"), {"design": "{not json"})
        assert r.status_code == 400 and r.json()["problems"][0]["message"] == "The design is not valid JSON."


def test_a_viewer_previews_but_cannot_keep_a_draft(signed_in, org, design):
    client = signed_in("viewer")
    data, assets = design.working_copy()
    assert _post_design(client, _url(org, design, "preview"), data, assets).status_code == 200
    with changes_nothing():
        assert _post_design(client, _url(org, design, "draft"), data, assets).status_code == 403


def test_white_text_on_an_uploaded_light_background_is_warned_about(signed_in, org, design):
    client = signed_in("admin")
    r = client.post(
        _url(org, design, "upload"),
        {"role": "background", "file": SimpleUploadedFile("bg.png", _png(1123, 794, (250, 246, 236)))},
        HTTP_ACCEPT="application/json",
    )
    data, assets = r.json()["design"], r.json()["assets"]
    index = next(i for i, e in enumerate(data["elements"]) if e.get("id") == "name")
    data["elements"][index]["color"] = "#ffffff"
    body = _post_design(client, _url(org, design, "preview"), data, assets).json()
    warned = [w for w in body["warnings"] if w["element"] == index]
    assert warned and warned[0]["field"] == "color" and "Hard to read" in warned[0]["message"]
    data["elements"][index]["color"] = "#1f2430"
    body = _post_design(client, _url(org, design, "preview"), data, assets).json()
    assert not [w for w in body["warnings"] if w["element"] == index]


def test_preview_boxes_are_in_millimetres_where_the_design_puts_the_text(signed_in, org, design):
    client = signed_in("viewer")
    data, assets = design.working_copy()
    el = _el(data, "name")
    el.update({"x": 40.0, "width": 120.0, "align": "left", "text": "Ada"})
    body = _post_design(client, _url(org, design, "preview"), data, assets).json()
    index = data["elements"].index(el)
    box = next(b for b in body["boxes"] if b["element"] == index)
    assert box["x0"] == pytest.approx(40.0, abs=1.0) and body["page"] == [
        pytest.approx(279.4),
        pytest.approx(215.9),
    ]


def test_publish_restore_and_duplicate(signed_in, org, design):
    client = signed_in("admin")
    data, assets = design.working_copy()
    _el(data, "heading")["text"] = "Diploma"
    _post_design(client, _url(org, design, "draft"), data, assets)
    client.post(_url(org, design, "publish"), {"name": "Diplomas"})
    design.refresh_from_db()
    assert design.current.number == 2 and design.name == "Diplomas" and design.draft_data is None
    assert not design.has_unpublished_changes
    # version 1 comes back as the draft; the published version stays until published again
    client.post(_url(org, design, "restore"), {"version": "1"})
    design.refresh_from_db()
    assert _el(design.draft_data, "heading")["text"] != "Diploma" and design.current.number == 2
    assert design.has_unpublished_changes
    r = client.post(_url(org, design, "duplicate"))
    copy_ = Design.objects.exclude(pk=design.pk).get()
    assert r["Location"].endswith(f"/designs/{copy_.public_id}/") and copy_.name == "Copy of Diplomas"
    assert copy_.current.data == design.draft_data
    kinds = set(AuditEntry.objects.filter(organization=org).values_list("action", flat=True))
    assert {"design.draft_saved", "design.published", "design.version_restored", "design.duplicated"} <= kinds


def test_the_gallery_has_eight_templates_in_both_orientations_and_sizes_with_thumbnails(signed_in, org):
    client = signed_in("admin")
    pages = {(g["size"], g["orientation"]) for g in editor.GALLERY.values()}
    assert len(editor.GALLERY) >= 8
    assert pages == {("A4", "landscape"), ("A4", "portrait"), ("Letter", "landscape"), ("Letter", "portrait")}
    listing = client.get(f"/w/{org.slug}/designs/").content.decode()
    for key, entry in editor.GALLERY.items():
        assert entry["title"] in listing
        r = client.get(f"/w/{org.slug}/designs/gallery/{key}.png")
        assert r.status_code == 200 and r.content.startswith(b"\x89PNG")
        w, h = Image.open(io.BytesIO(r.content)).size
        assert (w > h) == (entry["orientation"] == "landscape")
    r = client.post(f"/w/{org.slug}/designs/new", {"template": "elegant-plum", "name": ""})
    made = Design.objects.get()
    assert made.name == "Elegant plum certificate"
    assert made.current.data["page"] == {"size": "Letter", "orientation": "portrait"}
    assert client.get(f"/w/{org.slug}/designs/gallery/nope.png").status_code == 404


def test_the_editor_page_carries_the_draft_and_its_script(signed_in, org, design):
    client = signed_in("admin")
    data, assets = design.working_copy()
    _el(data, "heading")["text"] = "Draft heading"
    _post_design(client, _url(org, design, "draft"), data, assets)
    page = client.get(_url(org, design)).content.decode()
    assert 'id="designer-state"' in page and "Draft heading" in page and "workspace/designer.js" in page
    assert "Draft with unpublished changes" in page
