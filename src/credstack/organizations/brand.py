"""An organization's brand as emails and pages draw it: a validated colour, a readable text colour on it,
a link colour readable on white, the logo, the name, the sender of its emails and whether its pages and
emails say "powered by credstack".

Readability is computed, not trusted: WCAG 2.1 relative luminance and contrast ratio. Text on the brand
colour (buttons, the email header) is white or near-black, whichever contrasts more: for any colour one of
them reaches at least 4.58:1, above the AA minimum of 4.5:1 for normal text. Links and headings drawn in
the brand colour on white use the colour itself when it reaches 4.5:1 there, else the same hue darkened
until it does (a light yellow brand gives dark olive links, not unreadable yellow ones).
"""

from __future__ import annotations

import re
from email.utils import parseaddr

from django.conf import settings

DEFAULT_BRAND = "#1d3f6e"
PLATFORM_BRAND = "#1d4ed8"  # the pages of no organization (home, verifier, error pages)
WHITE = "#ffffff"
INK = "#111827"
AA_TEXT = 4.5  # WCAG 2.1 AA, normal text
_HEX = re.compile(r"^#[0-9a-fA-F]{6}$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")


def relative_luminance(hex_colour: str) -> float:
    """WCAG 2.1 relative luminance of ``#rrggbb``: 0 (black) to 1 (white)."""

    def channel(value: str) -> float:
        c = int(value, 16) / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(hex_colour[i : i + 2]) for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(a: str, b: str) -> float:
    """WCAG 2.1 contrast ratio of two ``#rrggbb`` colours: 1 (none) to 21 (black on white)."""
    la, lb = relative_luminance(a), relative_luminance(b)
    light, dark = max(la, lb), min(la, lb)
    return (light + 0.05) / (dark + 0.05)


def text_colour_on(hex_colour: str) -> str:
    """White on dark colours, near-black on light ones: whichever contrasts more."""
    return WHITE if contrast_ratio(hex_colour, WHITE) >= contrast_ratio(hex_colour, INK) else INK


def readable_on_white(hex_colour: str, minimum: float = AA_TEXT) -> str:
    """``hex_colour`` if text in it is readable on white (``minimum`` contrast), else the same hue darkened
    step by step until it is."""
    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    colour = hex_colour.lower()
    factor = 1.0
    while contrast_ratio(colour, WHITE) < minimum and factor > 0:
        factor = round(factor - 0.05, 2)
        colour = "#{:02x}{:02x}{:02x}".format(*(round(c * max(factor, 0)) for c in (r, g, b)))
    return colour


def colour_of(org) -> str:
    """The organization's colour, or the default when it has none or an invalid one."""
    colour = getattr(org, "brand_color", "") or ""
    return colour.lower() if _HEX.match(colour) else DEFAULT_BRAND


def brand_context(org) -> dict:
    """What a page or an email draws an organization's brand with: ``brand`` (the colour), ``on_brand``
    (text on it), ``brand_link`` (text in the colour on white), ``logo_url``, ``brand_name`` and
    ``powered_by`` (whether to say "powered by credstack"). ``org`` None: the platform's own look."""
    brand = colour_of(org) if org is not None else PLATFORM_BRAND
    return {
        "brand": brand,
        "on_brand": text_colour_on(brand),
        "brand_link": readable_on_white(brand),
        "logo_url": (getattr(org, "logo_url", "") or getattr(org, "image_url", "")) if org else "",
        "brand_name": org.name if org is not None else "credstack",
        "powered_by": bool(getattr(org, "show_powered_by", True)),
    }


def brand_preview(org) -> dict:
    """What the settings page shows of the colour: the pairs pages use and their contrast ratios."""
    context = brand_context(org)
    return {
        **context,
        "button_ratio": round(contrast_ratio(context["brand"], context["on_brand"]), 1),
        "link_ratio": round(contrast_ratio(context["brand_link"], WHITE), 1),
        "link_adjusted": context["brand_link"] != context["brand"],
        "dark_text": context["on_brand"] == INK,
    }


def sender(org) -> str:
    """The From of an organization's email: its name, at the deployment's address
    (``"Acme Academy" <no-reply@example.org>``). ``org`` None: ``DEFAULT_FROM_EMAIL`` as configured."""
    if org is None:
        return settings.DEFAULT_FROM_EMAIL
    address = parseaddr(settings.DEFAULT_FROM_EMAIL)[1] or settings.DEFAULT_FROM_EMAIL
    name = " ".join(_CONTROL.sub(" ", org.name).split()) or "credstack"
    quoted = name.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{quoted}" <{address}>'  # Django encodes a non-ASCII name (RFC 2047) when it sends
