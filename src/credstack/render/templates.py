"""Built-in certificate templates: vector backgrounds + a default element layout, parameterised by a
brand colour, an accent colour, a logo and a signatory. `builtin_design()` returns a plain design
dict that an issuer can then edit like any other."""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from dataclasses import dataclass

from .canvas import KAPPA, Canvas, mix, star_points

WHITE = "#ffffff"


@dataclass(frozen=True)
class Template:
    name: str
    title: str
    color: str  # default brand colour
    accent: str  # default accent colour
    draw: Callable[[Canvas, str, str], None]
    elements: Callable[..., list]


# ---- backgrounds ---------------------------------------------------------------------------------


def _rosette(c: Canvas, cx, cy, r, color, n=36, opacity=0.07, width=0.5):
    """A guilloché-like rosette: n ellipses turned about the centre, drawn faintly (one path)."""
    k = KAPPA
    rx, ry = r, r * 0.38
    base = [
        (rx, 0),
        (rx, ry * k),
        (rx * k, ry),
        (0, ry),
        (-rx * k, ry),
        (-rx, ry * k),
        (-rx, 0),
        (-rx, -ry * k),
        (-rx * k, -ry),
        (0, -ry),
        (rx * k, -ry),
        (rx, -ry * k),
        (rx, 0),
    ]
    cmds: list = []
    for i in range(n):
        a = math.pi * i / n
        ca, sa = math.cos(a), math.sin(a)
        p = [(cx + x * ca - y * sa, cy + x * sa + y * ca) for x, y in base]
        cmds.append(("M", *p[0]))
        for j in range(1, 13, 3):
            cmds.append(("C", *p[j], *p[j + 1], *p[j + 2]))
        cmds.append(("Z",))
    c.path(cmds, stroke=color, width=width, opacity=opacity)


def _seal(c: Canvas, cx, cy, r, color, accent, ribbons=True, ribbon=None):
    if ribbons:
        for side in (-1, 1):
            x0 = cx + side * r * 0.35
            pts = [
                (x0 - r * 0.28, cy + r * 0.3),
                (x0 + r * 0.28, cy + r * 0.3),
                (x0 + r * 0.28 + side * r * 0.25, cy + r * 1.55),
                (x0 + side * r * 0.12, cy + r * 1.3),
                (x0 - r * 0.28 + side * r * 0.2, cy + r * 1.55),
            ]
            c.polygon(pts, fill=ribbon or mix(color, "#000000", 0.15))
    c.polygon(star_points(cx, cy, r, r * 0.9, 30), fill=accent)
    c.circle(cx, cy, r * 0.8, fill=color)
    c.circle(cx, cy, r * 0.72, stroke=accent, width=0.8)
    c.circle(cx, cy, r * 0.66, stroke=mix(accent, WHITE, 0.3), width=0.4, dash=[1.2, 1.2])
    c.polygon(star_points(cx, cy, r * 0.3, r * 0.13, 5), fill=accent)


def draw_classic(c: Canvas, color: str, accent: str) -> None:
    W, H = c.width, c.height
    c.rect(0, 0, W, H, fill="#fbf8f1")
    _rosette(c, W / 2, H * 0.47, min(W, H) * 0.36, color, n=40, opacity=0.05, width=0.45)
    m1, m2, m3 = 18, 25, 29
    c.rect(m1, m1, W - 2 * m1, H - 2 * m1, stroke=color, width=3.2)
    c.rect(m2, m2, W - 2 * m2, H - 2 * m2, stroke=accent, width=1.1)
    c.rect(m3, m3, W - 2 * m3, H - 2 * m3, stroke=accent, width=0.4)
    # corner ornaments: a diamond on the frame corner and two short flourishes
    for x, y, sx, sy in ((m2, m2, 1, 1), (W - m2, m2, -1, 1), (m2, H - m2, 1, -1), (W - m2, H - m2, -1, -1)):
        d = 7
        c.polygon([(x, y - d), (x + d, y), (x, y + d), (x - d, y)], fill=color)
        c.polygon([(x, y - 3), (x + 3, y), (x, y + 3), (x - 3, y)], fill=accent)
        c.line(x + sx * 12, y + sy * 8, x + sx * 55, y + sy * 8, color=accent, width=0.6)
        c.line(x + sx * 8, y + sy * 12, x + sx * 8, y + sy * 55, color=accent, width=0.6)
        c.circle(x + sx * 58, y + sy * 8, 1.3, fill=accent)
        c.circle(x + sx * 8, y + sy * 58, 1.3, fill=accent)
    r = min(W, H) * 0.068
    _seal(c, W / 2, H * (0.79 if W > H else 0.655), r, color, accent)


def draw_modern(c: Canvas, color: str, accent: str) -> None:
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


def draw_minimal(c: Canvas, color: str, accent: str) -> None:
    W, H = c.width, c.height
    c.rect(0, 0, W, H, fill=WHITE)
    c.rect(0, 0, W, 5, fill=color)
    c.line(56, H - 96, W - 56, H - 96, color="#d9dce1", width=0.6)


def draw_elegant(c: Canvas, color: str, accent: str) -> None:
    W, H = c.width, c.height
    dark = mix(color, "#000000", 0.55)
    c.rect(0, 0, W, H, fill=dark)
    _rosette(c, W * 0.5, H * 0.5, min(W, H) * 0.45, accent, n=48, opacity=0.06, width=0.5)
    m = 22
    c.rect(m, m, W - 2 * m, H - 2 * m, stroke=accent, width=0.8)
    c.rect(m + 5, m + 5, W - 2 * m - 10, H - 2 * m - 10, stroke=accent, width=2.2)
    for x, y in ((m + 5, m + 5), (W - m - 5, m + 5), (m + 5, H - m - 5), (W - m - 5, H - m - 5)):
        c.circle(x, y, 9, fill=dark, stroke=accent, width=1.0)
        c.circle(x, y, 3.2, fill=accent)
    _seal(
        c,
        W / 2,
        H * (0.79 if W > H else 0.655),
        min(W, H) * 0.068,
        mix(color, "#000000", 0.2),
        accent,
        ribbon=mix(accent, "#000000", 0.3),
    )


# ---- default layouts (mm) ------------------------------------------------------------------------


def _t(id_, text, x, y, w, size, **kw) -> dict:
    d = {"type": "text", "id": id_, "text": text, "x": x, "y": y, "width": w, "size": size}
    d.update(kw)
    return d


def _signatory(els, sig, x, y, w, color, line_color, font):
    """Signature image above a line, name and title below it."""
    if sig.get("asset"):
        els.append(
            {
                "type": "image",
                "id": "signature",
                "asset": sig["asset"],
                "x": x + w * 0.1,
                "y": y - 17,
                "width": w * 0.8,
                "height": 16,
                "optional": True,
            }
        )
    els.append(
        {
            "type": "line",
            "id": "signature-line",
            "x1": x,
            "y1": y,
            "x2": x + w,
            "y2": y,
            "color": line_color,
            "stroke_width": 0.7,
        }
    )
    els.append(
        _t(
            "signatory-name",
            sig.get("name", ""),
            x,
            y + 1.5,
            w,
            10.5,
            font=font,
            weight="bold",
            color=color,
            align="center",
            min_size=7,
        )
    )
    if sig.get("title"):
        els.append(
            _t(
                "signatory-title",
                sig["title"],
                x,
                y + 6.5,
                w,
                8.5,
                font=font,
                color="#6b6f76",
                align="center",
                min_size=6,
            )
        )


def elements_classic(W, H, color, accent, logo, signatory, heading, subheading):
    ink = "#1f2430"
    els: list[dict] = []
    cx = lambda w: (W - w) / 2  # noqa: E731
    land = W > H
    y = 0.105 * H if land else 0.09 * H
    if logo:
        els.append(
            {
                "type": "image",
                "id": "logo",
                "asset": logo,
                "x": cx(50),
                "y": y - 4,
                "width": 50,
                "height": 15,
                "optional": True,
            }
        )
        y += 15
    els.append(
        _t(
            "heading",
            heading,
            cx(W * 0.7),
            y + 2,
            W * 0.7,
            34 if land else 30,
            font="serif",
            weight="bold",
            color=color,
            align="center",
            letter_spacing=0.12,
            transform="uppercase",
            min_size=18,
        )
    )
    els.append(
        _t(
            "subheading",
            subheading,
            cx(W * 0.6),
            y + 17,
            W * 0.6,
            11.5,
            font="serif",
            color=accent,
            align="center",
            letter_spacing=0.35,
            transform="uppercase",
            min_size=8,
        )
    )
    y = 0.36 * H if land else 0.37 * H
    els.append(
        _t(
            "intro",
            "This is to certify that",
            cx(W * 0.6),
            y,
            W * 0.6,
            13,
            font="serif",
            style="italic",
            color="#4a4f59",
            align="center",
        )
    )
    els.append(
        _t(
            "name",
            "{recipient_name}",
            cx(W * 0.72),
            y + 9,
            W * 0.72,
            40 if land else 34,
            height=20,
            font="serif",
            weight="bold",
            color=ink,
            align="center",
            min_size=22,
            max_lines=2,
            line_height=1.1,
        )
    )
    els.append(
        {
            "type": "line",
            "id": "name-rule",
            "x1": W * 0.26,
            "y1": y + 31,
            "x2": W * 0.74,
            "y2": y + 31,
            "color": accent,
            "stroke_width": 0.8,
        }
    )
    els.append(
        _t(
            "body",
            "has successfully completed",
            cx(W * 0.6),
            y + 36,
            W * 0.6,
            13,
            font="serif",
            style="italic",
            color="#4a4f59",
            align="center",
        )
    )
    els.append(
        _t(
            "achievement",
            "{achievement_name}",
            cx(W * 0.7),
            y + 44,
            W * 0.7,
            21,
            height=12,
            font="serif",
            weight="bold",
            color=color,
            align="center",
            min_size=12,
            max_lines=2,
        )
    )
    fy = H * (0.815 if land else 0.855)
    bw = 62 if land else 54
    lx, rx = W * 0.27 - bw / 2, W * 0.73 - bw / 2
    els.append(
        _t(
            "issue-date",
            "{issue_date}",
            lx,
            fy - 7,
            bw,
            12,
            font="serif",
            color=ink,
            align="center",
            min_size=8,
        )
    )
    els.append(
        {
            "type": "line",
            "id": "date-line",
            "x1": lx,
            "y1": fy,
            "x2": lx + bw,
            "y2": fy,
            "color": "#8c8f96",
            "stroke_width": 0.7,
        }
    )
    els.append(
        _t(
            "date-label",
            "Date of issue",
            lx,
            fy + 1.5,
            bw,
            8.5,
            font="serif",
            color="#6b6f76",
            align="center",
        )
    )
    if signatory:
        _signatory(els, signatory, rx, fy, bw, ink, "#8c8f96", "serif")
    else:
        els.append(
            _t(
                "issuer",
                "{issuer_name}",
                rx,
                fy - 7,
                bw,
                12,
                font="serif",
                color=ink,
                align="center",
                min_size=7,
            )
        )
        els.append(
            {
                "type": "line",
                "id": "issuer-line",
                "x1": rx,
                "y1": fy,
                "x2": rx + bw,
                "y2": fy,
                "color": "#8c8f96",
                "stroke_width": 0.7,
            }
        )
        els.append(
            _t(
                "issuer-label",
                "Issued by",
                rx,
                fy + 1.5,
                bw,
                8.5,
                font="serif",
                color="#6b6f76",
                align="center",
            )
        )
    qs = 20 if land else 18
    if land:
        qx, qy = W - 10.2 - 6 - qs, fy - qs + 3
    else:
        qx, qy = (W - qs) / 2, fy - qs + 3
    els.append(
        {"type": "qr", "id": "qr", "x": qx, "y": qy, "size": qs, "color": ink, "background": "#fbf8f1"}
    )
    els.append(
        _t(
            "credential-id",
            "Credential ID {credential_id}",
            cx(W * 0.5),
            H - 10.2 - 9,
            W * 0.5,
            7.5,
            font="sans",
            color="#7b7f87",
            align="center",
            min_size=5,
        )
    )
    return els


def elements_modern(W, H, color, accent, logo, signatory, heading, subheading):
    ink, grey = "#171a21", "#5f6470"
    els: list[dict] = []
    land = W > H
    if land:
        bw = W * 0.30
        if logo:
            els.append(
                {
                    "type": "rect",
                    "id": "logo-card",
                    "x": 14,
                    "y": 16,
                    "width": bw - 28,
                    "height": 26,
                    "fill": WHITE,
                    "radius": 2.5,
                }
            )
            els.append(
                {
                    "type": "image",
                    "id": "logo",
                    "asset": logo,
                    "x": 18,
                    "y": 19,
                    "width": bw - 36,
                    "height": 20,
                    "optional": True,
                }
            )
        els.append(
            _t(
                "issuer",
                "{issuer_name}",
                14,
                48,
                bw - 28,
                12,
                font="sans",
                weight="bold",
                color=WHITE,
                min_size=8,
                max_lines=2,
                height=12,
                valign="top",
            )
        )
        qs = 30
        els.append(
            {
                "type": "qr",
                "id": "qr",
                "x": 14,
                "y": H - 16 - qs - 8,
                "size": qs,
                "color": ink,
                "background": WHITE,
            }
        )
        els.append(
            _t(
                "verify",
                "Scan to verify",
                14,
                H - 20,
                bw - 28,
                8,
                font="sans",
                color=WHITE,
                letter_spacing=0.08,
                transform="uppercase",
                opacity=0.85,
            )
        )
        x = bw + 24
        tw = W - x - 24
        y = H * 0.24
    else:
        bh = H * 0.24
        if logo:
            els.append(
                {
                    "type": "rect",
                    "id": "logo-card",
                    "x": 18,
                    "y": 18,
                    "width": 60,
                    "height": 26,
                    "fill": WHITE,
                    "radius": 2.5,
                }
            )
            els.append(
                {
                    "type": "image",
                    "id": "logo",
                    "asset": logo,
                    "x": 22,
                    "y": 21,
                    "width": 52,
                    "height": 20,
                    "optional": True,
                }
            )
        els.append(
            _t(
                "issuer",
                "{issuer_name}",
                18,
                bh - 18,
                W - 36,
                13,
                font="sans",
                weight="bold",
                color=WHITE,
                min_size=8,
            )
        )
        qs = 28
        els.append(
            {
                "type": "qr",
                "id": "qr",
                "x": W - 18 - qs,
                "y": H - 22 - qs,
                "size": qs,
                "color": ink,
                "background": WHITE,
            }
        )
        els.append(
            _t(
                "verify",
                "Scan to verify",
                W - 18 - qs - 10,
                H - 21,
                qs + 10,
                7.5,
                font="sans",
                color=grey,
                letter_spacing=0.08,
                transform="uppercase",
                align="center",
            )
        )
        x = 18
        tw = W - 36
        y = bh + 28
    els.append(
        _t(
            "heading",
            f"{heading} {subheading}".strip(),
            x,
            y,
            tw,
            11,
            font="sans",
            weight="bold",
            color=color,
            letter_spacing=0.22,
            transform="uppercase",
            min_size=7,
        )
    )
    els.append(
        {"type": "rect", "id": "heading-bar", "x": x, "y": y + 8, "width": 14, "height": 1.3, "fill": accent}
    )
    els.append(_t("intro", "Awarded to", x, y + 20, tw, 12, font="sans", color=grey))
    els.append(
        _t(
            "name",
            "{recipient_name}",
            x,
            y + 27,
            tw,
            38,
            height=18,
            font="sans",
            weight="bold",
            color=ink,
            min_size=22,
            max_lines=2,
            line_height=1.1,
        )
    )
    els.append(_t("body", "for successfully completing", x, y + 50, tw, 12, font="sans", color=grey))
    els.append(
        _t(
            "achievement",
            "{achievement_name}",
            x,
            y + 57,
            tw,
            20,
            height=11,
            font="sans",
            weight="bold",
            color=color,
            min_size=12,
            max_lines=2,
            valign="top",
        )
    )
    fy = H - 42 if land else H - 62
    cols = [
        ("Issued", "{issue_date}"),
        ("Valid until", "{expiry_date}"),
        ("Credential ID", "{credential_id}"),
    ]
    cw = tw / 3
    for i, (label, value) in enumerate(cols):
        els.append(
            _t(
                f"{label.lower().replace(' ', '-')}-label",
                label,
                x + i * cw,
                fy,
                cw - 4,
                7.5,
                font="sans",
                weight="bold",
                color="#8a8f99",
                letter_spacing=0.14,
                transform="uppercase",
            )
        )
        els.append(
            _t(
                f"{label.lower().replace(' ', '-')}-value",
                value,
                x + i * cw,
                fy + 5,
                cw - 4,
                11,
                font="sans",
                color=ink,
                min_size=6,
            )
        )
    els.append(
        {
            "type": "line",
            "id": "footer-rule",
            "x1": x,
            "y1": fy - 6,
            "x2": x + tw,
            "y2": fy - 6,
            "color": "#e3e5e9",
            "stroke_width": 0.8,
        }
    )
    if signatory:
        sw = 58
        _signatory(els, signatory, x + tw - sw, fy - 16, sw, ink, "#b9bdc5", "sans")
    return els


def elements_minimal(W, H, color, accent, logo, signatory, heading, subheading):
    ink, grey = "#111318", "#6d717a"
    els: list[dict] = []
    mx = 20
    land = W > H
    if logo:
        els.append(
            {
                "type": "image",
                "id": "logo",
                "asset": logo,
                "x": mx,
                "y": 18,
                "width": 48,
                "height": 16,
                "optional": True,
            }
        )
    els.append(
        _t(
            "heading",
            f"{heading} {subheading}".strip(),
            W - mx - 120,
            21,
            120,
            9,
            font="sans",
            color=grey,
            align="right",
            letter_spacing=0.25,
            transform="uppercase",
            min_size=6,
        )
    )
    y = H * (0.36 if land else 0.34)
    els.append(
        {"type": "rect", "id": "mark", "x": mx, "y": y - 12, "width": 10, "height": 2.2, "fill": color}
    )
    els.append(_t("intro", "This certifies that", mx, y - 6, W - 2 * mx, 12, font="sans", color=grey))
    els.append(
        _t(
            "name",
            "{recipient_name}",
            mx,
            y + 2,
            W - 2 * mx,
            44 if land else 36,
            height=20,
            font="sans",
            color=ink,
            min_size=24,
            max_lines=2,
            line_height=1.05,
        )
    )
    els.append(_t("body", "has completed", mx, y + 27, W - 2 * mx, 12, font="sans", color=grey))
    els.append(
        _t(
            "achievement",
            "{achievement_name}",
            mx,
            y + 34,
            W - 2 * mx - 40,
            20,
            height=11,
            font="sans",
            color=color,
            min_size=12,
            max_lines=2,
            valign="top",
        )
    )
    fy = H - 28
    qs = 18
    cw = (W - 2 * mx - qs - 10) / 3
    cols = [("Issued by", "{issuer_name}"), ("Date", "{issue_date}"), ("Credential", "{credential_id}")]
    for i, (label, value) in enumerate(cols):
        els.append(_t(f"footer-{i}-label", label, mx + i * cw, fy - 3, cw - 5, 8, font="sans", color=grey))
        els.append(
            _t(
                f"footer-{i}-value",
                value,
                mx + i * cw,
                fy + 2.5,
                cw - 5,
                10,
                font="sans",
                color=ink,
                min_size=6,
            )
        )
    if signatory:
        _signatory(els, signatory, W - mx - qs - 10 - 55, fy - 20, 50, ink, "#c8ccd2", "sans")
    els.append(
        {
            "type": "qr",
            "id": "qr",
            "x": W - mx - qs,
            "y": fy - 6,
            "size": qs,
            "color": ink,
            "background": None,
        }
    )
    return els


def elements_elegant(W, H, color, accent, logo, signatory, heading, subheading):
    light, soft = "#fbf6ea", "#d9cfb8"
    els = elements_classic(W, H, color, accent, logo, signatory, heading, subheading)
    recolor = {
        "heading": accent,
        "subheading": soft,
        "intro": soft,
        "name": light,
        "body": soft,
        "achievement": accent,
        "issue-date": light,
        "date-label": soft,
        "issuer": light,
        "issuer-label": soft,
        "signatory-name": light,
        "signatory-title": soft,
        "credential-id": soft,
    }
    # logos and signatures are drawn for light paper: give them light plates
    for el in [e for e in els if e.get("id") in ("logo", "signature")]:
        plate = {
            "type": "rect",
            "id": f"{el['id']}-plate",
            "x": el["x"] - 4,
            "y": el["y"] - 2,
            "width": el["width"] + 8,
            "height": el["height"] + (4 if el["id"] == "logo" else 2.5),
            "fill": light,
            "radius": 2,
        }
        els.insert(els.index(el), plate)
    for el in els:
        if el.get("id") in recolor:
            el["color"] = recolor[el["id"]]
        if el["type"] == "line":
            el["color"] = accent
        if el["type"] == "qr":
            el["color"] = "#111111"
            el["background"] = light
    return els


TEMPLATES: dict[str, Template] = {
    t.name: t
    for t in (
        Template(
            "classic",
            "Classic: double frame, seal-like rosette, serif type",
            "#1d3f6e",
            "#b08d3c",
            draw_classic,
            elements_classic,
        ),
        Template(
            "modern",
            "Modern: coloured side band, sans-serif type",
            "#3a3fb8",
            "#f2a33a",
            draw_modern,
            elements_modern,
        ),
        Template(
            "minimal",
            "Minimal: white space, one accent, sans-serif type",
            "#0f766e",
            "#0f766e",
            draw_minimal,
            elements_minimal,
        ),
        Template(
            "elegant",
            "Elegant: dark ground, gold frame, serif type",
            "#1b2a4a",
            "#c9a55a",
            draw_elegant,
            elements_elegant,
        ),
    )
}

_bg_cache: dict[tuple, tuple[list, dict]] = {}
_bg_lock = threading.Lock()


def draw_background(c: Canvas, name: str, color: str | None, accent: str | None) -> None:
    """Draw a template's background (its operators are built once per template/colours/page size)."""
    t = TEMPLATES[name]
    color, accent = color or t.color, accent or t.accent
    key = (name, color, accent, round(c.width, 2), round(c.height, 2))
    got = _bg_cache.get(key)
    if got is None:
        tmp = Canvas(c.width, c.height)
        t.draw(tmp, color, accent)
        got = (list(tmp.ops), dict(tmp.gstates))
        with _bg_lock:
            if len(_bg_cache) > 256:
                _bg_cache.clear()
            _bg_cache[key] = got
    ops, gstates = got
    if c.gstates or c.ops:  # not the first thing drawn: draw afresh (graphics state names are per page)
        t.draw(c, color, accent)
        return
    c.gstates.update(gstates)
    c.ops.extend(ops)


def builtin_design(
    template: str = "classic",
    *,
    color: str | None = None,
    accent: str | None = None,
    size: str = "A4",
    orientation: str = "landscape",
    logo: str | None = None,
    signatory: dict | None = None,
    heading: str = "Certificate",
    subheading: str = "of Completion",
) -> dict:
    """A complete, editable design from a built-in template.

    logo: the asset name of the logo image (drawn if supplied at render time).
    signatory: {"name": ..., "title": ..., "asset": <signature image asset name>} (all optional)."""
    from .design import page_size_mm

    t = TEMPLATES[template]
    color, accent = color or t.color, accent or t.accent
    page = {"size": size, "orientation": orientation}
    W, H = page_size_mm({"page": page})  # type: ignore[typeddict-item]
    return {
        "version": 1,
        "page": page,
        "background": {"template": template, "color": color, "accent": accent},
        "elements": t.elements(W, H, color, accent, logo, signatory, heading, subheading),
    }
