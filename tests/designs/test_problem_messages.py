"""Design problems in the designer's language: credstack.render (no Django) gives each problem a code and
params beside its English text; credstack.designs.problems says each code in the user's language."""

from __future__ import annotations

import json
import re

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from credstack.accounts.actions import set_language
from credstack.designs import actions, editor
from credstack.designs.models import Design
from credstack.designs.problems import MESSAGES
from credstack.organizations.actors import Actor
from credstack.render import validate_design
from credstack.ui.svg_messages import MESSAGES as SVG_MESSAGES
from credstack.ui.uploads import MAX_IMAGE, check_svg, read_upload
from tests.unchanged import changes_nothing
from tests.verifier.test_check_messages import PLACEHOLDER, emitted_codes


def test_every_code_the_render_core_emits_has_a_translated_message():
    """Design problems (designs/problems.py) and SVG refusals (ui/svg_messages.py, which adds the file)."""
    codes = emitted_codes("render")
    catalogue = {**MESSAGES, **SVG_MESSAGES}
    assert len(codes) > 45, sorted(codes)
    assert not sorted(set(codes) - set(catalogue)), "codes with no message in their catalogue"
    assert not sorted(set(catalogue) - set(codes)), "messages for codes the core no longer emits"
    for code, params in codes.items():
        wanted = set(PLACEHOLDER.findall(str(catalogue[code]))) - (
            {"file"} if code in SVG_MESSAGES else set()
        )
        assert params is None or wanted <= params, f"{code}: the message names {wanted - params}, not given"


def test_the_english_text_is_unchanged_and_carries_its_code():
    issues = validate_design({"page": {"size": "B5"}, "elements": [{"type": "text", "x": 1}]})
    assert issues == [
        "page.size: must be one of A4, Letter (got 'B5')",
        "elements[0] (text): missing text",
        "elements[0] (text): missing y",
        "elements[0] (text): missing width",
    ]
    assert [(i.code, i.params) for i in issues[:2]] == [
        ("design.one-of", {"choices": "A4, Letter", "got": "'B5'"}),
        ("design.missing", {"field": "text"}),
    ]


def _url(org, design, what=""):
    return f"/w/{org.slug}/designs/{design.public_id}/{what}"


@pytest.mark.django_db
def test_the_designer_shows_a_problem_in_french(signed_in, org):
    design = actions.create_design(org, name="Main", data=editor.gallery_design("modern-teal"))
    client = signed_in("admin")
    set_language(client.user, "fr", Actor.for_user(client.user))  # the user's Language page
    data, assets = design.working_copy()
    index = next(i for i, e in enumerate(data["elements"]) if e.get("id") == "name")
    data["elements"][index].update(size=900, color="white", text="{recipient_name")
    data["page"] = {"size": "B5"}
    posted = {"design": json.dumps(data), "assets": json.dumps(assets)}
    with changes_nothing():
        response = client.post(_url(org, design, "draft"), posted)
    assert response.status_code == 400
    problems = {(p["element"], p["field"]): p["message"] for p in response.json()["problems"]}
    assert problems[(index, "size")] == "Taille doit être un nombre de points de 2 à 400 (reçu : 900)"
    assert problems[(index, "color")] == "Couleur doit être une couleur comme #1d4e89 (reçu : 'white')"
    assert problems[(index, "text")].startswith("Texte : « { » sans correspondance (écrivez « {{ »")
    assert problems[(None, "size")] == "page.size: doit être l’une des valeurs A4, Letter (reçu : 'B5')"
    # the preview says the same, in the same words
    preview = client.post(_url(org, design, "preview"), posted).json()["problems"]
    assert {(p["element"], p["field"]): p["message"] for p in preview} == problems
    # the editor page itself is French, so nothing English is left beside the fields
    assert not any(re.search(r"\b(must|got|unbalanced)\b", m) for m in problems.values())


@pytest.mark.django_db
def test_publishing_an_invalid_design_says_why_in_german(signed_in, org):
    design = actions.create_design(org, name="Main", data=editor.gallery_design("modern-teal"))
    client = signed_in("admin")
    set_language(client.user, "de", Actor.for_user(client.user))
    data, _assets = design.working_copy()
    next(e for e in data["elements"] if e.get("id") == "name")["opacity"] = 7
    # a draft kept before the rule it breaks (a draft saved through the designer is checked on the way in)
    Design.objects.filter(pk=design.pk).update(draft_data=data)
    response = client.post(_url(org, design, "publish"), follow=True)
    page = response.content.decode()
    assert "muss eine Zahl von 0 bis 1 sein (angegeben: 7)" in page, page[:2000]


def test_an_unsafe_svg_is_refused_in_the_pages_language():
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    with translation.override("de"), pytest.raises(ValidationError) as refused:
        check_svg(svg, "logo.svg", "image")
    assert refused.value.message_dict == {
        "image": ["logo.svg enthält ein <script>-Element; SVGs mit Skripten werden abgelehnt"]
    }
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        check_svg(svg, "logo.svg", "image")
    assert refused.value.messages == ["logo.svg contains a <script> element; SVGs with scripts are refused"]


def test_an_upload_of_the_wrong_kind_is_refused_in_the_pages_language():
    gif = SimpleUploadedFile("logo.png", b"GIF89a" + b"\0" * 64)
    with translation.override("es"), pytest.raises(ValidationError) as refused:
        read_upload(gif, ("image/png", "image/jpeg"), MAX_IMAGE, "logo")
    assert refused.value.message_dict == {
        "logo": ["logo.png no es un tipo de archivo que credstack lea; suba PNG, JPEG"]
    }
