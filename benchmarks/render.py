"""Certificate rendering speed and size, one core, warm (fonts and assets loaded once).

.venv/bin/python benchmarks/render.py            # ~1 minute
.venv/bin/python benchmarks/render.py --quick
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

from credstack.render import (
    TEMPLATES,
    badge_png,
    badge_svg,
    builtin_design,
    render_pdf,
    render_png,
    sample_values,
)
from credstack.render.samples import sample_assets

SCRIPTS = ("latin", "long", "cyrillic", "arabic", "hebrew", "chinese", "devanagari")
SIGNATORY = {"name": "Dr. Helen Okafor", "title": "Director of Studies", "asset": "signature"}
CREDENTIAL = json.dumps(
    {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "proof": {"proofValue": "z" * 88},
        "credentialSubject": {"name": "x" * 40},
        "padding": "y" * 2500,
    }
).encode()


def bench(fn, n: int) -> tuple[float, object]:
    out = fn()  # warm
    times = []
    for _ in range(n):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    n = 20 if args.quick else 100
    assets = sample_assets()
    attach = [("credential.json", CREDENTIAL, "application/json")]

    print(f"{'template':10} {'name':11} {'ms':>6} {'PDF/s':>6} {'KB':>6}")
    rows = []
    for template in TEMPLATES:
        design = builtin_design(template, logo="logo", signatory=SIGNATORY)
        for script in SCRIPTS:
            values = sample_values(script)
            dt, pdf = bench(lambda d=design, v=values: render_pdf(d, v, assets, attach), n)
            rows.append(dt)
            print(f"{template:10} {script:11} {dt * 1000:6.2f} {1 / dt:6.0f} {len(pdf) / 1024:6.1f}")
    print(
        f"all certificates: median {statistics.median(rows) * 1000:.2f} ms, worst {max(rows) * 1000:.2f} ms"
    )

    # an uploaded PDF as the background (the classic certificate itself, ~30 KB), names stamped on it
    background = render_pdf(builtin_design("classic"), sample_values(recipient_name=" "))
    overlay = {
        "background": {"pdf": "bg"},
        "elements": [
            {
                "type": "text",
                "text": "{recipient_name}",
                "x": 20,
                "y": 90,
                "width": "86%",
                "size": 36,
                "min_size": 18,
                "align": "center",
            },
            {"type": "qr", "x": 250, "y": 160, "size": 22},
        ],
    }
    dt, pdf = bench(lambda: render_pdf(overlay, sample_values("arabic"), {"bg": background}, attach), n)
    print(f"PDF background + overlay: {dt * 1000:.2f} ms, {len(pdf) / 1024:.1f} KB")

    design = builtin_design("classic", logo="logo", signatory=SIGNATORY)
    for dpi in (72, 96):
        dt, png = bench(lambda dpi=dpi: render_png(design, sample_values(), assets, dpi=dpi), max(5, n // 10))
        print(f"PNG preview at {dpi} dpi: {dt * 1000:.1f} ms, {len(png) / 1024:.0f} KB")
    dt, svg = bench(lambda: badge_svg("Foundations of Data Analysis", "#1d3f6e", issuer="Northbridge"), n)
    print(f"badge SVG: {dt * 1000:.2f} ms, {len(svg) / 1024:.1f} KB")
    dt, png = bench(
        lambda: badge_png("Foundations of Data Analysis", "#1d3f6e", issuer="Northbridge"), max(5, n // 10)
    )
    print(f"badge PNG 600 px: {dt * 1000:.1f} ms, {len(png) / 1024:.0f} KB")


if __name__ == "__main__":
    main()
