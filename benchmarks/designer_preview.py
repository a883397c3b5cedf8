"""The designer's live preview: how long the renderer takes to draw page one of an edited design (the same
draw + PDF code as the certificate, rasterised at 72 dpi, with text boxes and contrast checks), for each
gallery template, after an edit that defeats the preview cache (the name's size changes each time).

    PYTHONPATH=src .venv/bin/python benchmarks/designer_preview.py [--rounds 20]

Prints the median and 95th percentile per template, and over all. The browser adds the request, a base64
PNG of ~60-150 KB and the image decode (see benchmarks/RESULTS.md for a measurement in Chromium).
"""

from __future__ import annotations

import argparse
import copy
import os
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "src"))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
    django.setup()
    from credstack.designs import editor
    from credstack.render import preview, sample_values, warm_up
    from credstack.render.samples import sample_assets

    warm_up()
    values, assets = sample_values("latin"), sample_assets()
    overall = []
    print(f"{'template':<18} {'median ms':>10} {'p95 ms':>8} {'JPEG KB':>7}")
    for key in editor.GALLERY:
        design = editor.gallery_design(key)
        times, size = [], 0
        for i in range(args.rounds + 2):
            edited = copy.deepcopy(design)
            for el in edited["elements"]:
                if el.get("id") == "name":
                    el["size"] = 30 + (i % 10)
            t = time.perf_counter()
            p = preview(edited, values, assets, dpi=72, jpeg=True)
            if i >= 2:  # the first two warm the template's background cache
                times.append((time.perf_counter() - t) * 1000)
            size = len(p.image)
        times.sort()
        overall += times
        p95 = times[int(len(times) * 0.95) - 1]
        print(f"{key:<18} {statistics.median(times):>10.1f} {p95:>8.1f} {size / 1024:>7.0f}")
    overall.sort()
    print(f"{'all':<18} {statistics.median(overall):>10.1f} {overall[int(len(overall) * 0.95) - 1]:>8.1f}")


if __name__ == "__main__":
    main()
