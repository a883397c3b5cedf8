"""The modern certificate: a coloured band beside (or, in portrait, above) left-aligned sans type."""

from __future__ import annotations

from ..canvas import Canvas, mix
from .base import WHITE, Element, Page, Template
from .blocks import columns, hline, logo, qr, rect, signatory, stack, text


def draw(c: Canvas, color: str, accent: str) -> None:
    W, H = c.width, c.height
    c.rect(0, 0, W, H, fill=WHITE)
    if W >= H:
        bw = W * 0.30
        c.rect(0, 0, bw, H, fill=color)
        c.clip_rect(0, 0, bw, H)
        c.circle(bw * 0.05, H * 0.98, bw * 0.75, fill=WHITE, opacity=0.06)
        c.circle(bw * 1.0, H * 0.12, bw * 0.42, fill=WHITE, opacity=0.07)
        c.circle(bw * 0.2, H * 0.25, bw * 0.18, stroke=WHITE, width=1.0, opacity=0.18)
        for i in range(7):
            off = i * 9
            c.line(bw - 70 + off, -5, bw + 30 + off, H * 0.35, color=WHITE, width=0.6, opacity=0.12)
        c.restore()
        c.rect(bw, 0, 7, H, fill=accent)
        # a light pattern of dots in the top right corner
        for i in range(6):
            for j in range(10):
                c.circle(W - 30 - j * 11, 28 + i * 11, 1.3, fill=color, opacity=0.16 if (i + j) % 2 else 0.08)
    else:
        bh = H * 0.24
        c.rect(0, 0, W, bh, fill=color)
        c.clip_rect(0, 0, W, bh)
        c.circle(W * 0.95, bh * 0.1, bh * 0.9, fill=WHITE, opacity=0.06)
        c.circle(W * 0.05, bh * 1.1, bh * 0.6, fill=WHITE, opacity=0.07)
        c.restore()
        c.rect(0, bh, W, 6, fill=accent)
    c.rect(0, H - 6, W, 6, fill=mix(color, WHITE, 0.85))


def elements(p: Page) -> list[Element]:
    """Left-aligned sans type beside a coloured band (top band in portrait) that holds the logo on a
    white card, the issuer's name and the QR code; dates and credential id in columns at the foot."""
    ink, grey, W, H = "#171a21", "#5f6470", p.W, p.H
    sans = {"font": "sans"}
    issuer = {"font": "sans", "weight": "bold", "color": WHITE, "min_size": 8}
    verify = {"font": "sans", "letter_spacing": 0.08, "transform": "uppercase"}
    if p.land:  # the band on the left holds logo, issuer and QR code
        bw = W * 0.30
        els = logo(p.logo, 18, 19, bw - 36, 20, card=WHITE)
        two_lines = {"max_lines": 2, "height": 12, "valign": "top"}
        els.append(text("issuer", "{issuer_name}", 14, 48, bw - 28, size=12, **two_lines, **issuer))
        qs = 30
        els.append(qr(14, H - 16 - qs - 8, qs, ink, WHITE))
        verify |= {"size": 8, "color": WHITE, "opacity": 0.85}
        els.append(text("verify", "Scan to verify", 14, H - 20, bw - 28, **verify))
        x, tw, y = bw + 24, W - (bw + 24) - 24, H * 0.24
    else:  # the band on top holds logo and issuer; the QR code goes bottom right
        bh = H * 0.24
        els = logo(p.logo, 22, 21, 52, 20, card=WHITE)
        els.append(text("issuer", "{issuer_name}", 18, bh - 18, W - 36, size=13, **issuer))
        qs = 28
        els.append(qr(W - 18 - qs, H - 22 - qs, qs, ink, WHITE))
        verify |= {"size": 7.5, "color": grey, "align": "center"}
        els.append(text("verify", "Scan to verify", W - 18 - qs - 10, H - 21, qs + 10, **verify))
        x, tw, y = 18, W - 36, bh + 28
    caps = {"size": 11, "weight": "bold", "letter_spacing": 0.22, "transform": "uppercase", "min_size": 7}
    els.append(text("heading", p.title, x, y, tw, color=p.color, **caps, **sans))
    els.append(rect("heading-bar", x, y + 8, 14, 1.3, p.accent))
    line = {"size": 12, "color": grey, **sans}
    fitted = {"weight": "bold", "max_lines": 2, **sans}
    name = {"size": 38, "height": 18, "color": ink, "min_size": 22, "line_height": 1.1, **fitted}
    achievement = {"size": 20, "height": 11, "color": p.color, "min_size": 12, "valign": "top", **fitted}
    els += stack(
        y,
        lambda w: x,
        [
            ("intro", "Awarded to", 20, tw, line),
            ("name", "{recipient_name}", 27, tw, name),
            ("body", "for successfully completing", 50, tw, line),
            ("achievement", "{achievement_name}", 57, tw, achievement),
        ],
    )
    fy = H - 42 if p.land else H - 62
    cols = [
        ("issued", "Issued", "{issue_date}"),
        ("valid-until", "Valid until", "{expiry_date}"),
        ("credential-id", "Credential ID", "{credential_id}"),
    ]
    label = {
        "size": 7.5,
        "weight": "bold",
        "color": "#8a8f99",
        "letter_spacing": 0.14,
        "transform": "uppercase",
    }
    value = {"size": 11, "color": ink, "min_size": 6}
    els += columns(cols, x, tw / 3, 4, fy, {**label, **sans}, fy + 5, {**value, **sans})
    els.append(hline("footer-rule", x, x + tw, fy - 6, "#e3e5e9", 0.8))
    if p.signatory:
        sw = 58
        els += signatory(p.signatory, x + tw - sw, fy - 16, sw, font="sans", ink=ink, rule="#b9bdc5")
    return els


TEMPLATE = Template(
    "modern", "Modern: coloured side band, sans-serif type", "#3a3fb8", "#f2a33a", draw, elements
)
