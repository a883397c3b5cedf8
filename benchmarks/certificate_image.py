"""What a credential's share images cost: the page image (1200 px wide) and the link card (1200 x 630).

    PYTHONPATH=src .venv/bin/python benchmarks/certificate_image.py [--rounds 8]

For each built-in template (sample values, sample logo and signature), both images are made two ways and
timed side by side (median of ``--rounds``, one process, warm):

- ``before``: the way credstack made them up to 2026-12-06: the page drawn at 96 DPI into a PNG, the PNG
  read back, its pixels resized (Lanczos) to the image's size, written as PNG at zlib level 6;
- ``now``: ``render.rasterize_to_fit`` draws the page straight at the image's size, written as PNG at the
  level ``credentials/certificate_images.py`` uses (``PNG_LEVEL``; ``--level`` to try another).

Prints ms and bytes of each. The images are the same size either way (the page image one row taller now:
PDFium rounds its height up).
"""

from __future__ import annotations

import argparse
import functools
import io
import os
import statistics
import time

from PIL import Image

from credstack.render import TEMPLATES, builtin_design, rasterize_to_fit, render_pdf, sample_values
from credstack.render.render import pdf_to_png
from credstack.render.samples import sample_assets

WIDTH, CARD, MARGIN = 1200, (1200, 630), 28


def before(pdf: bytes, variant: str) -> bytes:
    page = Image.open(io.BytesIO(pdf_to_png(pdf, dpi=96))).convert("RGB")
    if variant == "page":
        image = page.resize((WIDTH, round(page.height * WIDTH / page.width)), Image.Resampling.LANCZOS)
    else:
        scale = min((CARD[0] - 2 * MARGIN) / page.width, (CARD[1] - 2 * MARGIN) / page.height)
        fitted = page.resize(
            (round(page.width * scale), round(page.height * scale)), Image.Resampling.LANCZOS
        )
        image = Image.new("RGB", CARD, "#1d3f6e")
        image.paste(fitted, ((CARD[0] - fitted.width) // 2, (CARD[1] - fitted.height) // 2))
    out = io.BytesIO()
    image.save(out, "PNG", compress_level=6)
    return out.getvalue()


def now(pdf: bytes, variant: str, level: int) -> bytes:
    if variant == "page":
        image = rasterize_to_fit(pdf, WIDTH, draw_annots=False).convert("RGB")
    else:
        fitted = rasterize_to_fit(pdf, CARD[0] - 2 * MARGIN, CARD[1] - 2 * MARGIN, draw_annots=False)
        image = Image.new("RGB", CARD, "#1d3f6e")
        image.paste(fitted.convert("RGB"), ((CARD[0] - fitted.width) // 2, (CARD[1] - fitted.height) // 2))
    out = io.BytesIO()
    image.save(out, "PNG", compress_level=level)
    return out.getvalue()


def timed(make, rounds: int) -> tuple[float, int]:
    data = make()
    times = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        data = make()
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1000, len(data)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument(
        "--level", type=int, default=3, help="zlib level of the new way (certificate_images.PNG_LEVEL: 3)"
    )
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.2f}")
    print("| template | image | before: ms | before: KB | now: ms | now: KB |")
    print("|---|---|---:|---:|---:|---:|")
    for template in TEMPLATES:
        pdf = render_pdf(builtin_design(template), sample_values("latin"), sample_assets())
        for variant in ("page", "card"):
            old_ms, old_bytes = timed(functools.partial(before, pdf, variant), args.rounds)
            new_ms, new_bytes = timed(functools.partial(now, pdf, variant, args.level), args.rounds)
            print(
                f"| {template} | {variant} | {old_ms:.0f} | {old_bytes // 1024} | {new_ms:.0f} | {new_bytes // 1024} |"
            )
    print(f"load average {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
