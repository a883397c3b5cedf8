"""The built-in templates keep drawing the same certificates: every template's layout (the design that
builtin_design() returns) and background (its drawing operators) for a set of choices — orientation,
page size, logo or not, signatory with or without signature and title, custom colours and headings —
are compared with what they were when tests/render/builtin_templates.json was written.

Issued credentials are re-rendered from their design on download, and the background is drawn from the
template's name at that time: an unintended change here changes certificates people already hold.

Changed a template on purpose? Look at the change (benchmarks/render_compare.py shows it, picture by
picture), then write the file again:  .venv/bin/python tests/render/test_builtin_templates.py --update
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

import pytest

from credstack.render import TEMPLATES, builtin_design
from credstack.render.canvas import Canvas
from credstack.render.design import length_pt, page_size_mm
from credstack.render.templates import draw_background

SNAPSHOT = Path(__file__).with_name("builtin_templates.json")
SIGNATORY = {"name": "Dr. Helen Okafor", "title": "Director of Studies", "asset": "signature"}
CHOICES = {
    "landscape-full": {"logo": "logo", "signatory": SIGNATORY},
    "portrait-letter-full": {
        "logo": "logo",
        "signatory": SIGNATORY,
        "size": "Letter",
        "orientation": "portrait",
    },
    "portrait-bare": {"orientation": "portrait"},
    "landscape-custom": {
        "signatory": {"name": "Helen Okafor"},
        "color": "#8b1e3f",
        "accent": "#2a9d8f",
        "heading": "Diploma",
        "subheading": "",
    },
}


def _snapshot(template: str, choices: dict) -> dict:
    design = builtin_design(template, **choices)
    wmm, hmm = page_size_mm(design)
    c = Canvas(length_pt(wmm, 0), length_pt(hmm, 0))
    bg = design["background"]
    draw_background(c, bg["template"], bg["color"], bg["accent"])
    ops = "\n".join(c.ops) + "\n" + json.dumps(c.gstates, sort_keys=True)  # type: ignore[arg-type]
    return {"design": design, "background_sha256": hashlib.sha256(ops.encode()).hexdigest()}


def _current() -> dict:
    return {f"{t}/{name}": _snapshot(t, choices) for t in TEMPLATES for name, choices in CHOICES.items()}


@pytest.fixture(scope="module")
def recorded() -> dict:
    return json.loads(SNAPSHOT.read_text())


@pytest.mark.parametrize("case", [f"{t}/{name}" for t in TEMPLATES for name in CHOICES])
def test_builtin_template_draws_the_recorded_certificate(case, recorded):
    assert case in recorded, f"{case} is not recorded yet: write {SNAPSHOT.name} again (see the docstring)"
    template, name = case.split("/")
    now, then = _snapshot(template, CHOICES[name]), recorded[case]
    assert {k: v for k, v in now["design"].items() if k != "elements"} == {
        k: v for k, v in then["design"].items() if k != "elements"
    }
    ids_now = [e.get("id") for e in now["design"]["elements"]]
    ids_then = [e.get("id") for e in then["design"]["elements"]]
    assert ids_now == ids_then, "elements added, removed or reordered"
    for el_now, el_then in zip(now["design"]["elements"], then["design"]["elements"], strict=True):
        assert el_now == el_then, f"element {el_now.get('id')!r} moved or restyled"
    assert now["background_sha256"] == then["background_sha256"], "the background draws differently"


def test_every_recorded_template_still_exists(recorded):
    assert {case.split("/")[0] for case in recorded} <= set(TEMPLATES)


if __name__ == "__main__" and sys.argv[1:] == ["--update"]:
    snapshots = _current()
    SNAPSHOT.write_text(
        "{\n"
        + ",\n".join(f"{json.dumps(k)}: {json.dumps(v, sort_keys=True)}" for k, v in snapshots.items())
        + "\n}\n"
    )
    print(f"wrote {len(snapshots)} snapshots to {SNAPSHOT}")
