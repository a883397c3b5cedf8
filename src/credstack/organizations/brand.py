"""An organization's brand as emails and pages draw it: a validated colour, a readable text colour on it,
and the logo."""

from __future__ import annotations

import re

DEFAULT_BRAND = "#1d3f6e"
_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")


def brand_context(org) -> dict[str, str]:
    """``brand`` (the colour, or the default when unset/invalid), ``on_brand`` (white on dark colours,
    near-black on light ones), ``brand_link`` (a link colour readable on white) and ``logo_url``."""
    brand = org.brand_color if _HEX.match(getattr(org, "brand_color", "") or "") else DEFAULT_BRAND
    on_brand = text_colour_on(brand)
    return {
        "brand": brand,
        "on_brand": on_brand,
        # links on white: the brand colour unless it is too light to read there
        "brand_link": brand if on_brand == "#ffffff" else "#374151",
        "logo_url": getattr(org, "logo_url", "") or getattr(org, "image_url", ""),
    }


def text_colour_on(hex_colour: str) -> str:
    """White on dark colours, near-black on light ones: whichever contrasts more (WCAG relative luminance)."""

    def channel(value: str) -> float:
        c = int(value, 16) / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(hex_colour[i : i + 2]) for i in (1, 3, 5))
    luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b
    # contrast with white = 1.05 / (L + 0.05); with #111827 (L ~ 0.0116) = (L + 0.05) / 0.0616
    return "#ffffff" if 1.05 / (luminance + 0.05) >= (luminance + 0.05) / 0.0616 else "#111827"
