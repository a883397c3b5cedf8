"""Design validation names the element and the field; merge tags; text layout rules."""

import copy
import datetime as dt

import pytest

from credstack.render import (
    TEMPLATES,
    DesignError,
    builtin_design,
    check_design,
    design_fields,
    render_pdf,
    template_fields,
    validate_design,
)
from credstack.render.design import fill
from credstack.render.samples import sample_assets


def test_builtin_designs_are_valid_and_json_serialisable():
    import json

    for name in TEMPLATES:
        for orientation in ("landscape", "portrait"):
            d = builtin_design(
                name,
                orientation=orientation,
                logo="logo",
                signatory={"name": "A", "title": "B", "asset": "signature"},
            )
            assert validate_design(d, sample_assets()) == []
            assert json.loads(json.dumps(d)) == d


def _with(el):
    return {"elements": [el]}


TEXT = {"type": "text", "id": "name", "text": "{recipient_name}", "x": 10, "y": 20, "width": "80%"}


@pytest.mark.parametrize(
    "design, message",
    [
        ("nope", "design: must be an object"),
        ({"page": {"size": "A3"}}, "page.size: must be one of A4, Letter (got 'A3')"),
        ({"page": {"orientation": "sideways"}}, "page.orientation: must be landscape or portrait"),
        ({"background": {"template": "baroque"}}, "background.template: unknown template 'baroque'"),
        ({"background": {"template": "classic", "color": "blue"}}, "background.color: must be a colour"),
        (
            {"background": {"template": "classic", "image": "bg"}},
            "background: give one of template, image, pdf",
        ),
        ({"elements": {}}, "elements: must be a list"),
        (_with({"type": "circle"}), "elements[0] (circle): type must be one of text, image, qr, line, rect"),
        (_with({**TEXT, "size": "big"}), "elements[0] (text 'name'): size must be a number of points"),
        (
            _with({**TEXT, "size": 12, "min_size": 20}),
            "elements[0] (text 'name'): min_size (20) is larger than size",
        ),
        (
            _with({**TEXT, "x": "ten"}),
            "elements[0] (text 'name'): x must be millimetres (a number) or a percentage",
        ),
        (_with({**TEXT, "width": -5}), "elements[0] (text 'name'): width must be positive"),
        (
            _with({**TEXT, "color": "#12345"}),
            "elements[0] (text 'name'): color must be a colour like #1d4e89",
        ),
        (
            _with({**TEXT, "align": "justify"}),
            "elements[0] (text 'name'): align must be one of left, center, right",
        ),
        (_with({**TEXT, "font": "comic"}), "elements[0] (text 'name'): font must be one of sans, serif"),
        (_with({**TEXT, "text": "Hello {recipient name}"}), "elements[0] (text 'name'): text: bad merge tag"),
        (_with({**TEXT, "text": "Hello {recipient_name"}), "elements[0] (text 'name'): text: unbalanced '{'"),
        (_with({**TEXT, "max_lines": 2.5}), "elements[0] (text 'name'): max_lines must be a whole number"),
        (_with({**TEXT, "opacity": 3}), "elements[0] (text 'name'): opacity must be a number from 0 to 1"),
        (_with({**TEXT, "colour": "#000"}), "elements[0] (text 'name'): unknown field(s) colour"),
        (_with({"type": "text", "x": 1, "y": 1}), "elements[0] (text): missing text"),
        (
            _with({"type": "image", "asset": "logo", "x": 1, "y": 1, "width": 10}),
            "elements[0] (image): missing height",
        ),
        (_with({"type": "qr", "x": 1, "y": 1, "size": 0}), "elements[0] (qr): size must be positive"),
        (
            _with({"type": "line", "x1": 1, "y1": 1, "x2": 5, "y2": 1, "dash": "dotted"}),
            "elements[0] (line): dash must be a list",
        ),
    ],
)
def test_bad_designs_are_rejected_with_specific_messages(design, message):
    errors = validate_design(design)
    assert any(message in e for e in errors), errors
    with pytest.raises(DesignError) as exc:
        check_design(design)
    assert message in str(exc.value)


def test_all_errors_are_reported_at_once():
    d = builtin_design("classic")
    d["elements"][0]["color"] = "red"
    d["elements"][3]["align"] = "middle"
    d["page"]["size"] = "B5"
    errors = validate_design(d)
    assert len(errors) == 3


def test_assets_are_checked_when_given():
    d = {
        "background": {"pdf": "bg"},
        "elements": [{"type": "image", "id": "sig", "asset": "sig", "x": 1, "y": 1, "width": 5, "height": 5}],
    }
    errors = validate_design(d, {"bg": b"\x89PNG\r\n\x1a\n", "sig": b"%PDF-1.4"})
    assert "background.pdf: asset 'bg' is not a PDF" in errors
    assert "elements[0] (image 'sig'): asset: asset 'sig' is not a PNG or JPEG image" in errors
    assert "elements[0] (image 'sig'): asset: asset 'sig' is not supplied" in validate_design(
        d, {"bg": b"%PDF-"}
    )


def test_render_refuses_an_invalid_design():
    bad = copy.deepcopy(builtin_design("modern"))
    bad["elements"][2]["size"] = -1
    with pytest.raises(DesignError, match=r"elements\[2\]"):
        render_pdf(bad, {})


def test_merge_tags():
    assert template_fields("{a} and {b_2} {{not}} }}") == ["a", "b_2"]
    assert fill("Hi {name}, {{literal}} {missing}!", {"name": "Zoë"}) == "Hi Zoë, {literal} !"
    assert fill("{issue_date}", {"issue_date": dt.date(2025, 1, 5)}) == "5 January 2025"
    assert fill("{score}", {"score": 97.0}) == "97"
    assert fill("{score}", {"score": None}) == ""
    d = builtin_design("modern")
    assert {"recipient_name", "achievement_name", "credential_url", "credential_id"} <= design_fields(d)
