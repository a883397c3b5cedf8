"""The browser designer's model: a small set of editor settings that build a full render.Design.

Settings (stored in design["meta"]["editor"], so a version can be re-opened in the editor):
template, size, orientation, color, accent, heading, subheading, signatory_name, signatory_title,
qr (bool), overrides {element id: {"text", "x", "y", "size"}}, extras [{"text", "x", "y", "size",
"width"}], and which assets are used (background, signature).
"""

from __future__ import annotations

from credstack.render import TEMPLATES, Issue, builtin_design, validate_design

DEFAULTS = {
    "template": "classic",
    "size": "A4",
    "orientation": "landscape",
    "color": "",
    "accent": "",
    "heading": "Certificate",
    "subheading": "of Completion",
    "signatory_name": "",
    "signatory_title": "",
    "qr": True,
    "background": "",  # "" | "image" | "pdf"
    "signature": False,
    "overrides": {},
    "extras": [],
}


def build(settings: dict, brand_color: str = "#1d3f6e") -> dict:
    s = {**DEFAULTS, **settings}
    template = s["template"] if s["template"] in TEMPLATES else "classic"
    signatory = None
    if s["signatory_name"] or s["signatory_title"] or s["signature"]:
        signatory = {"name": s["signatory_name"], "title": s["signatory_title"]}
        if s["signature"]:
            signatory["asset"] = "signature"
    design = builtin_design(
        template,
        color=s["color"] or brand_color,
        accent=s["accent"] or None,
        size=s["size"],
        orientation=s["orientation"],
        logo="logo",
        signatory=signatory,
        heading=s["heading"],
        subheading=s["subheading"],
    )
    for el in design["elements"]:
        if el.get("type") == "image" and el.get("asset") == "logo":
            el["optional"] = True
        o = s["overrides"].get(el.get("id", ""))
        if o:
            for k in ("text", "x", "y", "size"):
                if k in o and o[k] not in (None, ""):
                    if k == "text" and el.get("type") != "text":
                        continue
                    el[k] = o[k]
    if not s["qr"]:
        design["elements"] = [e for e in design["elements"] if e.get("type") != "qr"]
    for i, ex in enumerate(s["extras"]):
        design["elements"].append(
            {
                "type": "text",
                "id": f"custom-{i + 1}",
                "text": ex["text"],
                "x": ex.get("x", 20),
                "y": ex.get("y", 20),
                "width": ex.get("width", "60%"),
                "size": ex.get("size", 12),
                "max_lines": 2,
                "min_size": min(8, ex.get("size", 12)),
                "align": ex.get("align", "left"),
                "color": ex.get("color", "#222222"),
            }
        )
    if s["background"] in ("image", "pdf"):
        design["background"] = {s["background"]: "background"}
    design["meta"] = {"editor": s}
    return design


def text_elements(design: dict) -> list[dict]:
    return [
        e
        for e in design.get("elements", [])
        if e.get("type") == "text" and not str(e.get("id", "")).startswith("custom-")
    ]


def problems(design: dict, assets: dict) -> list[Issue]:
    return validate_design(design, assets)


# ---- the gallery: built-in starting points, each usable as it is -------------------------------

GALLERY: dict[str, dict] = {
    "classic-navy": {
        "title": "Classic navy",
        "template": "classic",
        "size": "A4",
        "orientation": "landscape",
        "color": "#1d3f6e",
        "accent": "#b08d3c",
        "heading": "Certificate",
        "subheading": "of Completion",
    },
    "modern-teal": {
        "title": "Modern teal",
        "template": "modern",
        "size": "Letter",
        "orientation": "landscape",
        "color": "#0f766e",
        "accent": "#d97706",
        "heading": "Certificate",
        "subheading": "of Achievement",
    },
    "minimal-ink": {
        "title": "Minimal ink",
        "template": "minimal",
        "size": "A4",
        "orientation": "portrait",
        "color": "#111827",
        "accent": "#6b7280",
        "heading": "Certificate",
        "subheading": "of Attendance",
    },
    "elegant-plum": {
        "title": "Elegant plum",
        "template": "elegant",
        "size": "Letter",
        "orientation": "portrait",
        "color": "#5b2a86",
        "accent": "#b8962e",
        "heading": "Diploma",
        "subheading": "of Professional Studies",
    },
    "classic-burgundy": {
        "title": "Classic burgundy",
        "template": "classic",
        "size": "Letter",
        "orientation": "portrait",
        "color": "#7f1d1d",
        "accent": "#a8843a",
        "heading": "Certificate",
        "subheading": "of Excellence",
    },
    "modern-cobalt": {
        "title": "Modern cobalt",
        "template": "modern",
        "size": "A4",
        "orientation": "portrait",
        "color": "#1e40af",
        "accent": "#0ea5e9",
        "heading": "Certificate",
        "subheading": "of Participation",
    },
    "minimal-forest": {
        "title": "Minimal forest",
        "template": "minimal",
        "size": "Letter",
        "orientation": "landscape",
        "color": "#065f46",
        "accent": "#10b981",
        "heading": "Certificate",
        "subheading": "of Training",
    },
    "elegant-harbour": {
        "title": "Elegant harbour",
        "template": "elegant",
        "size": "A4",
        "orientation": "landscape",
        "color": "#0b3954",
        "accent": "#bfa06a",
        "heading": "Award",
        "subheading": "of Recognition",
    },
}


def gallery_design(key: str, brand_color: str = "#1d3f6e") -> dict:
    """The design a gallery entry starts a new design with (KeyError for an unknown key)."""
    entry = GALLERY[key]
    settings = {k: v for k, v in entry.items() if k != "title"}
    return build({**DEFAULTS, **settings}, brand_color)


_STYLE_FIELDS = (
    "font",
    "size",
    "weight",
    "style",
    "color",
    "align",
    "letter_spacing",
    "transform",
    "min_size",
    "max_lines",
    "opacity",
    "fill",
    "fit",
    "stroke",
    "line_height",
)
_PLACE_FIELDS = ("x", "y", "x1", "y1", "x2", "y2")
_SIZE_FIELDS = ("width", "height")


def version_changes(
    old: dict, old_assets: dict[str, str], new: dict, new_assets: dict[str, str]
) -> list[str]:
    """What changed from one version of a design to another, in words a designer uses ("Heading:
    text 'A' → 'B'", "Logo: moved", "Signature: file replaced"). Elements are matched by id (else by
    position in the list)."""
    out: list[str] = []
    if old.get("page") != new.get("page"):
        p0, p1 = old.get("page", {}), new.get("page", {})
        out.append(
            f"Page: {p0.get('size', 'A4')} {p0.get('orientation', 'landscape')} → "
            f"{p1.get('size', 'A4')} {p1.get('orientation', 'landscape')}"
        )
    bg0, bg1 = old.get("background", {}), new.get("background", {})
    if bg0 != bg1:
        if bg0.get("template") and bg0.get("template") == bg1.get("template"):
            out.append(
                "Background: colours "
                + ", ".join(
                    f"{k} {bg0.get(k, '—')} → {bg1.get(k, '—')}"
                    for k in ("color", "accent")
                    if bg0.get(k) != bg1.get(k)
                )
            )
        else:
            out.append("Background: changed")
    elif old_assets.get("background") != new_assets.get("background") and "background" in new_assets:
        out.append("Background: file replaced")

    def key(i: int, el: dict) -> str:
        return str(el.get("id") or f"#{i} {el.get('type')}")

    def name(el: dict) -> str:
        if el.get("id"):
            return str(el["id"])
        if el.get("type") == "text":
            return f"text “{str(el.get('text', ''))[:30]}”"
        return str(el.get("type"))

    before = {key(i, e): e for i, e in enumerate(old.get("elements", []))}
    after = {key(i, e): e for i, e in enumerate(new.get("elements", []))}
    for k, el in after.items():
        was = before.get(k)
        if was is None:
            out.append(f"{name(el)}: added")
            continue
        if was == el and old_assets.get(el.get("asset", "")) == new_assets.get(el.get("asset", "")):
            continue
        what = []
        if was.get("text") != el.get("text"):
            what.append(f"text “{was.get('text', '')}” → “{el.get('text', '')}”")
        if any(was.get(f) != el.get(f) for f in _PLACE_FIELDS):
            what.append("moved")
        if any(was.get(f) != el.get(f) for f in _SIZE_FIELDS) or (
            el.get("type") == "qr" and was.get("size") != el.get("size")
        ):
            what.append("resized")
        if (was.get("rotate") or 0) != (el.get("rotate") or 0):
            what.append(f"rotated {was.get('rotate') or 0}° → {el.get('rotate') or 0}°")
        styled = [
            f
            for f in _STYLE_FIELDS
            if was.get(f) != el.get(f) and not (f == "size" and el.get("type") == "qr")
        ]
        if styled:
            what.append("restyled (" + ", ".join(styled) + ")")
        asset = el.get("asset")
        if asset and old_assets.get(asset) != new_assets.get(asset):
            what.append("file replaced")
        if not what:
            what.append("changed")
        out.append(f"{name(el)}: " + "; ".join(what))
    for k, el in before.items():
        if k not in after:
            out.append(f"{name(el)}: removed")
    order_before = [k for k in before if k in after]
    order_after = [k for k in after if k in before]
    if order_before != order_after:
        out.append("Layers: order changed")
    return out
