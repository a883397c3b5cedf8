"""The classic certificate: cream paper, a double frame with corner ornaments, a faint rosette and a
seal; centred serif type."""

from __future__ import annotations

from ..canvas import Canvas
from .base import Element, Page, Template
from .blocks import hline, logo, qr, ruled_field, signatory, stack, text
from .ornaments import corners, frame, rosette, seal


def draw(c: Canvas, color: str, accent: str) -> None:
    W, H = c.width, c.height
    c.rect(0, 0, W, H, fill="#fbf8f1")
    rosette(c, W / 2, H * 0.47, min(W, H) * 0.36, color, n=40, opacity=0.05, width=0.45)
    frame(c, 18, color, 3.2)
    frame(c, 25, accent, 1.1)
    frame(c, 29, accent, 0.4)
    # corner ornaments: a diamond on the frame corner and two short flourishes
    for x, y, sx, sy in corners(c, 25):
        d = 7
        c.polygon([(x, y - d), (x + d, y), (x, y + d), (x - d, y)], fill=color)
        c.polygon([(x, y - 3), (x + 3, y), (x, y + 3), (x - 3, y)], fill=accent)
        c.line(x + sx * 12, y + sy * 8, x + sx * 55, y + sy * 8, color=accent, width=0.6)
        c.line(x + sx * 8, y + sy * 12, x + sx * 8, y + sy * 55, color=accent, width=0.6)
        c.circle(x + sx * 58, y + sy * 8, 1.3, fill=accent)
        c.circle(x + sx * 8, y + sy * 58, 1.3, fill=accent)
    seal(c, color, accent)


def elements(p: Page) -> list[Element]:
    """Centred serif type: logo, heading over subheading, the recipient block, date and signatory (or
    issuer) fields either side of the seal, QR code and credential id at the foot."""
    ink, W, H, land = "#1f2430", p.W, p.H, p.land
    centred = {"font": "serif", "align": "center"}
    y = 0.105 * H if land else 0.09 * H
    els = logo(p.logo, p.centred(50), y - 4, 50, 15)
    y += 15 if p.logo else 0
    caps = {"transform": "uppercase", **centred}
    heading = {"size": 34 if land else 30, "weight": "bold", "letter_spacing": 0.12, "min_size": 18}
    subheading = {"size": 11.5, "letter_spacing": 0.35, "min_size": 8}
    els += stack(
        y,
        p.centred,
        [
            ("heading", p.heading, 2, W * 0.7, {"color": p.color, **heading, **caps}),
            ("subheading", p.subheading, 17, W * 0.6, {"color": p.accent, **subheading, **caps}),
        ],
    )
    line = {"size": 13, "style": "italic", "color": "#4a4f59", **centred}
    fitted = {"weight": "bold", "max_lines": 2, **centred}
    name = {
        "size": 40 if land else 34,
        "height": 20,
        "color": ink,
        "min_size": 22,
        "line_height": 1.1,
        **fitted,
    }
    achievement = {"size": 21, "height": 12, "color": p.color, "min_size": 12, **fitted}
    y = 0.36 * H if land else 0.37 * H
    rows = stack(
        y,
        p.centred,
        [
            ("intro", "This is to certify that", 0, W * 0.6, line),
            ("name", "{recipient_name}", 9, W * 0.72, name),
            ("body", "has successfully completed", 36, W * 0.6, line),
            ("achievement", "{achievement_name}", 44, W * 0.7, achievement),
        ],
    )
    els += [*rows[:2], hline("name-rule", W * 0.26, W * 0.74, y + 31, p.accent, 0.8), *rows[2:]]
    # the footer: date of issue left of the seal, signatory (or issuer) right of it
    fy = H * (0.815 if land else 0.855)
    bw = 62 if land else 54
    lx, rx = W * 0.27 - bw / 2, W * 0.73 - bw / 2
    field = {"font": "serif", "ink": ink, "rule": "#8c8f96"}
    els += ruled_field(
        "date", "{issue_date}", "Date of issue", lx, fy, bw, min_size=8, value_id="issue-date", **field
    )
    if p.signatory:
        els += signatory(p.signatory, rx, fy, bw, font="serif", ink=ink, rule="#8c8f96")
    else:
        els += ruled_field("issuer", "{issuer_name}", "Issued by", rx, fy, bw, min_size=7, **field)
    # the QR code: in landscape right of the signatory, in portrait under the seal
    qs = 20 if land else 18
    els.append(qr(W - 10.2 - 6 - qs if land else (W - qs) / 2, fy - qs + 3, qs, ink, "#fbf8f1"))
    small, cw = {"size": 7.5, "font": "sans", "color": "#7b7f87", "align": "center", "min_size": 5}, W * 0.5
    els.append(
        text("credential-id", "Credential ID {credential_id}", p.centred(cw), H - 10.2 - 9, cw, **small)
    )
    return els


TEMPLATE = Template(
    "classic", "Classic: double frame, seal-like rosette, serif type", "#1d3f6e", "#b08d3c", draw, elements
)
