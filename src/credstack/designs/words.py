"""The words the certificate designer's script shows (issue 17), sent translated with the editor page.

``workspace/static/workspace/designer.js`` looks each of its words up in this table (``t("...")``), placeholders
``%(name)s`` filled in by the script; tests/web/test_i18n_educator_templates.py checks the two lists agree."""

from __future__ import annotations

from django.utils.translation import gettext, gettext_noop

WORDS = (
    gettext_noop("(empty text)"),
    gettext_noop("Image: %(name)s"),
    gettext_noop("QR code"),
    gettext_noop("Box: %(name)s"),
    gettext_noop("Unsaved changes…"),
    gettext_noop("Draft saved; publish to use it"),
    gettext_noop("Saving the draft…"),
    gettext_noop("Draft saved (revision %(revision)s); publish to use it"),
    gettext_noop("Not saved: fix the problems shown"),
    gettext_noop("Not saved: the server did not answer; retrying…"),
    gettext_noop("The preview could not be drawn: the server did not answer."),
    gettext_noop("(arrow keys move it; Enter edits the text)"),
    gettext_noop("Drag to rotate (Shift: 15° steps)"),
    gettext_noop("Text of %(name)s"),
    gettext_noop("the field"),
    gettext_noop("Text"),
    gettext_noop("Insert a merge tag"),
    gettext_noop("Font"),
    gettext_noop("Size"),
    gettext_noop("Bold"),
    gettext_noop("Italic"),
    gettext_noop("Colour"),
    gettext_noop("Alignment"),
    gettext_noop("Left"),
    gettext_noop("Centre"),
    gettext_noop("Right"),
    gettext_noop("Letter spacing"),
    gettext_noop("Case"),
    gettext_noop("As typed"),
    gettext_noop("UPPERCASE"),
    gettext_noop("lowercase"),
    gettext_noop("Capitalise Each Word"),
    gettext_noop("Top"),
    gettext_noop("Width"),
    gettext_noop("the widest the text may be"),
    gettext_noop("Shrink to"),
    gettext_noop("smallest size a long text shrinks to"),
    gettext_noop("Lines"),
    gettext_noop("Rotation"),
    gettext_noop("degrees clockwise"),
    gettext_noop("Height"),
    gettext_noop("Fit"),
    gettext_noop("Whole image"),
    gettext_noop("Fill the box"),
    gettext_noop("Stretch"),
    gettext_noop("Opacity"),
    gettext_noop("Fill"),
    gettext_noop("millimetres"),
    gettext_noop("points"),
    gettext_noop("%(label)s must be a number of %(unit)s."),
    gettext_noop("%(label)s must be a number."),
    gettext_noop("%(label)s must be from %(min)s to %(max)s%(unit)s."),
    gettext_noop("%(label)s must be a whole number."),
    gettext_noop("Text: %(name)s"),
    gettext_noop("Choose…"),
    gettext_noop("Bring forward"),
    gettext_noop("Send back"),
    gettext_noop("Remove"),
    gettext_noop("%(count)s elements selected"),
    gettext_noop(
        "Drag any of them to move them together; arrow keys nudge them all. Shift+click adds or removes one."
    ),
    gettext_noop("Align and distribute"),
    gettext_noop("Align left"),
    gettext_noop("Align right"),
    gettext_noop("Align top"),
    gettext_noop("Middle"),
    gettext_noop("Align bottom"),
    gettext_noop("Spread across"),
    gettext_noop("Spread down"),
    gettext_noop("Remove all"),
    gettext_noop("Select three or more to spread them out"),
    gettext_noop("Page"),
    gettext_noop(
        "Click a text, image or the QR code to select it; click a selected text to edit it in place."
    ),
    gettext_noop("Main colour"),
    gettext_noop("Accent colour"),
    gettext_noop("Remove the uploaded background"),
    gettext_noop("New text"),
    gettext_noop("Uploading %(name)s…"),
    gettext_noop("Not uploaded: %(reason)s"),
    gettext_noop("%(name)s added to the draft (revision %(revision)s)"),
    gettext_noop("Not uploaded: the server did not answer. Your edits are kept; try again."),
)


def translated() -> dict[str, str]:
    """Each word of the designer in the active language."""
    return {word: gettext(word) for word in WORDS}
