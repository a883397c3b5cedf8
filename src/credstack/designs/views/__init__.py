"""The certificate designer (workspace pages under /w/<org>/designs/).

The editor page is a canvas (static/workspace/designer.js) over the real renderer's picture of the
page. It talks to JSON endpoints here: ``preview`` (render the design being edited, no write),
``draft`` (keep it, through actions.save_draft), ``upload`` (a file into the draft); ``publish``
freezes the draft into a new version. The design travels as form fields ``design`` and ``assets``
holding JSON, so plain forms and tests post it the same way as the script.

One module per page or feature; the URLs name the views from here (``credstack.designs.views``):

- ``gallery``: the list of designs, the gallery, a new, imported or duplicated design;
- ``editing``: the editor page, its preview, draft, publish and restore;
- ``versions``: a version as a PNG, two versions compared, the list's thumbnail;
- ``uploads``: files into the draft;
- ``common``: the design of the URL, an image's pixel size.
"""

from .editing import design_draft, design_editor, design_preview, design_publish, design_restore
from .gallery import design_duplicate, design_gallery_thumbnail, design_import, design_list, design_new
from .uploads import design_upload
from .versions import design_compare, design_thumbnail, design_version_png

__all__ = [
    "design_compare",
    "design_draft",
    "design_duplicate",
    "design_editor",
    "design_gallery_thumbnail",
    "design_import",
    "design_list",
    "design_new",
    "design_preview",
    "design_publish",
    "design_restore",
    "design_thumbnail",
    "design_upload",
    "design_version_png",
]
