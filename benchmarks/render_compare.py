"""Does every built-in certificate template still draw the same certificate? A before/after check for
changes to src/credstack/render/templates/ (or anything the templates draw with).

.venv/bin/python benchmarks/render_compare.py snapshot /tmp/render-before    # before the change
.venv/bin/python benchmarks/render_compare.py snapshot /tmp/render-after     # after it
.venv/bin/python benchmarks/render_compare.py compare /tmp/render-before /tmp/render-after

For every template and every case below (scripts, very long names, missing logo / signature / expiry,
custom colours and headings, both orientations, Letter) a snapshot keeps:
  <case>.design.json   the design that builtin_design() returns, as stored (key order kept)
  <case>.ops.txt       the page's drawing operators (PDF content stream: no dates, no ids)
  <case>.pdf, <case>-1.png   the certificate and `pdftoppm -r 60 -png` of it (poppler-utils)
`compare` reports, per case, which of the three differ (designs compared as data: values exactly, key
order aside); the pixels are compared with
PIL.ImageChops.difference(...).getbbox(), which is None when the two pictures are identical.
It exits 1 if anything differs.
"""

from __future__ import annotations

import argparse
import io
import json
import subprocess
import sys
from pathlib import Path

from pypdf import PdfReader

from credstack.render import TEMPLATES, builtin_design, render_pdf, sample_values
from credstack.render.samples import sample_assets

FULL_SIGNATORY = {"name": "Dr. Helen Okafor", "title": "Director of Studies", "asset": "signature"}
LONG_SIGNATORY = {
    "name": "Professor Maximiliana Wolfeschlegelsteinhausen-Bergerdorff",
    "title": "Vice-Chancellor for Academic Affairs and Continuing Education",
    "asset": "signature",
}
LONG_ACHIEVEMENT = (
    "Advanced Professional Certificate in Applied Machine Learning, Statistical Inference and "
    "Responsible Data Engineering for the Public Sector"
)

# name -> (builtin_design keyword arguments, sample_values arguments, values to drop)
CASES: dict[str, tuple[dict, dict, tuple[str, ...]]] = {
    "latin": ({"logo": "logo", "signatory": FULL_SIGNATORY}, {"script": "latin"}, ()),
    "arabic": ({"logo": "logo", "signatory": FULL_SIGNATORY}, {"script": "arabic"}, ()),
    "arabic-portrait": (
        {"logo": "logo", "signatory": FULL_SIGNATORY, "orientation": "portrait"},
        {"script": "arabic"},
        (),
    ),
    "hebrew": ({"logo": "logo", "signatory": FULL_SIGNATORY}, {"script": "hebrew"}, ()),
    "devanagari": ({"logo": "logo", "signatory": FULL_SIGNATORY}, {"script": "devanagari"}, ()),
    "cjk": ({"logo": "logo", "signatory": FULL_SIGNATORY}, {"script": "chinese"}, ()),
    "mixed-letter": (
        {"logo": "logo", "signatory": FULL_SIGNATORY, "size": "Letter", "orientation": "portrait"},
        {"script": "mixed"},
        (),
    ),
    "long": (
        {"logo": "logo", "signatory": LONG_SIGNATORY},
        {"script": "long", "achievement_name": LONG_ACHIEVEMENT},
        (),
    ),
    "long-portrait": (
        {"logo": "logo", "signatory": LONG_SIGNATORY, "orientation": "portrait"},
        {"script": "long", "achievement_name": LONG_ACHIEVEMENT},
        (),
    ),
    "bare": ({}, {"script": "cyrillic"}, ("expiry_date",)),
    "bare-portrait": ({"orientation": "portrait"}, {"script": "greek"}, ("expiry_date", "issuer_name")),
    "logo-only": ({"logo": "logo"}, {"script": "latin"}, ("expiry_date",)),
    "signatory-name-only": ({"signatory": {"name": "Dr. Helen Okafor"}}, {"script": "latin"}, ()),
    "signature-no-title": (
        {
            "logo": "logo",
            "signatory": {"name": "Helen Okafor", "asset": "signature"},
            "orientation": "portrait",
        },
        {"script": "latin"},
        (),
    ),
    "custom": (
        {
            "logo": "logo",
            "signatory": FULL_SIGNATORY,
            "color": "#8b1e3f",
            "accent": "#2a9d8f",
            "heading": "Diploma",
            "subheading": "",
        },
        {"script": "latin"},
        (),
    ),
    "custom-portrait": (
        {
            "color": "#222",
            "accent": "#e76f51",
            "heading": "Certificate of Achievement in Advanced Studies",
            "subheading": "with Distinction",
            "orientation": "portrait",
            "size": "Letter",
        },
        {"script": "latin"},
        (),
    ),
}


def cases():
    for template in TEMPLATES:
        for case, (kw, vals, drop) in CASES.items():
            design = builtin_design(template, **kw)
            values = sample_values(**vals)
            for k in drop:
                values.pop(k)
            yield f"{template}-{case}", design, values


def snapshot(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    assets = sample_assets()
    n = 0
    for name, design, values in cases():
        (out / f"{name}.design.json").write_text(json.dumps(design, ensure_ascii=False, indent=1))
        pdf = render_pdf(design, values, assets)
        (out / f"{name}.ops.txt").write_bytes(PdfReader(io.BytesIO(pdf)).pages[0].get_contents().get_data())
        (out / f"{name}.pdf").write_bytes(pdf)
        subprocess.run(
            ["pdftoppm", "-r", "60", "-png", str(out / f"{name}.pdf"), str(out / name)], check=True
        )
        n += 1
    print(f"{n} certificates in {out}")


def _first_difference(a: Path, b: Path) -> str:
    if not b.exists():
        return "missing"
    ea, eb = json.loads(a.read_text())["elements"], json.loads(b.read_text())["elements"]
    for x, y in zip(ea, eb, strict=False):
        if x != y:
            keys = sorted(k for k in x.keys() | y.keys() if x.get(k) != y.get(k))
            return f"element {x.get('id')!r}: " + ", ".join(f"{k} {x.get(k)!r} -> {y.get(k)!r}" for k in keys)
    if len(ea) != len(eb):
        return f"{len(ea)} elements -> {len(eb)}"
    return "page or background"


def compare(before: Path, after: Path) -> int:
    from PIL import Image, ImageChops

    names = sorted(p.name.removesuffix(".design.json") for p in before.glob("*.design.json"))
    if not names:
        print(f"no snapshot in {before}")
        return 1
    bad = reordered = 0
    for name in names:
        diffs = []
        a, b = before / f"{name}.design.json", after / f"{name}.design.json"
        if not b.exists() or json.loads(a.read_text()) != json.loads(b.read_text()):
            diffs.append(f"design: {_first_difference(a, b)}")
        elif a.read_bytes() != b.read_bytes():
            reordered += 1  # the same properties with the same values, written in another order
        a, b = before / f"{name}.ops.txt", after / f"{name}.ops.txt"
        if not b.exists() or a.read_bytes() != b.read_bytes():
            diffs.append("drawing operators")
        a, b = before / f"{name}-1.png", after / f"{name}-1.png"
        if not b.exists():
            diffs.append("png missing")
        else:
            with Image.open(a) as ia, Image.open(b) as ib:
                if ia.size != ib.size:
                    diffs.append(f"png size {ia.size} != {ib.size}")
                elif (
                    box := ImageChops.difference(ia.convert("RGB"), ib.convert("RGB")).getbbox()
                ) is not None:
                    diffs.append(f"pixels differ in {box}")
        bad += bool(diffs)
        print(f"{'DIFFERS' if diffs else 'same   '} {name}" + (f": {', '.join(diffs)}" if diffs else ""))
    print(f"{len(names) - bad} of {len(names)} certificates identical")
    if reordered:
        print(f"({reordered} designs list some element properties in another order: same values)")
    return 1 if bad else 0


def main() -> int:
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    sub.add_parser("snapshot").add_argument("directory", type=Path)
    c = sub.add_parser("compare")
    c.add_argument("before", type=Path)
    c.add_argument("after", type=Path)
    args = ap.parse_args()
    if args.cmd == "snapshot":
        snapshot(args.directory)
        return 0
    return compare(args.before, args.after)


if __name__ == "__main__":
    sys.exit(main())
