"""Certificate and badge rendering: a design (layout + assets) + values -> PDF / PNG / SVG.

Pure: no Django, no network, no system libraries. Fonts are bundled (Noto, OFL).

    from credstack.render import builtin_design, render_pdf, sample_values
    pdf = render_pdf(builtin_design("classic", color="#1d3f6e"), sample_values("arabic"), {},
                     attachments=[("credential.json", signed_json_bytes, "application/json")])
"""

from .attachments import AttachmentError, extract_attachments
from .badge import badge_png, badge_svg
from .design import (
    Design,
    DesignError,
    Element,
    ImageElement,
    Issue,
    LineElement,
    MergeTagError,
    Problem,
    QRElement,
    RectElement,
    TextElement,
    check_design,
    design_fields,
    design_problems,
    page_size_mm,
    template_fields,
    validate_design,
)
from .fonts import warm_up
from .images import AssetError
from .preview import ContrastWarning, Preview, contrast_ratio, preview
from .raster import rasterize_to_fit
from .render import TextBox, draw, pdf_to_png, render_pdf, render_png
from .samples import SAMPLE_NAMES, sample_values
from .stamp import stamp_png, stamp_svg
from .templates import TEMPLATES, builtin_design

__all__ = [
    "SAMPLE_NAMES",
    "TEMPLATES",
    "AssetError",
    "AttachmentError",
    "ContrastWarning",
    "Design",
    "DesignError",
    "Element",
    "ImageElement",
    "Issue",
    "LineElement",
    "MergeTagError",
    "Preview",
    "Problem",
    "QRElement",
    "RectElement",
    "TextBox",
    "TextElement",
    "badge_png",
    "badge_svg",
    "builtin_design",
    "check_design",
    "contrast_ratio",
    "design_fields",
    "design_problems",
    "draw",
    "extract_attachments",
    "page_size_mm",
    "pdf_to_png",
    "preview",
    "rasterize_to_fit",
    "render_pdf",
    "render_png",
    "sample_values",
    "stamp_png",
    "stamp_svg",
    "template_fields",
    "validate_design",
    "warm_up",
]
