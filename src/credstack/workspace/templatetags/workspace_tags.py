import re

from django import template
from django.utils import timezone
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from credstack.workspace.bulk import PROBLEMS

register = template.Library()


@register.filter
def dictget(d, key):
    return (d or {}).get(key, 0)


@register.filter
def expired(credential) -> bool:
    """An active credential whose end date has passed: verifiers call it expired, so the workspace does too."""

    until = getattr(credential, "valid_until", None)
    return credential.state == "active" and until is not None and until <= timezone.now()


@register.filter
def sentence(label) -> str:
    """A form label in sentence case, as the workspace writes them: "Remember Me" -> "Remember me",
    "New Password (again)" -> "New password (again)". Acronyms (TOTP) keep their capitals."""
    words = str(label).split(" ")
    return " ".join([words[0], *(w.lower() if w[:1].isupper() and w[1:].islower() else w for w in words[1:])])


EVENT_LABELS = {
    "issued": pgettext_lazy("what happened", "Issued"),
    "revoked": _("Revoked"),
    "suspended": _("Suspended"),
    "reinstated": _("Reinstated"),
    "replaced": _("Replaced"),
    "expiry_changed": _("Expiry changed"),
    "delivered": _("Email sent"),
    "delivery_failed": _("Email failed"),
    "opened": _("Email opened"),
    "clicked": _("Link in the email clicked"),
    "viewed": _("Viewed"),
    "downloaded": _("Downloaded"),
    "shared": _("Shared"),
    "linkedin": _("Added to LinkedIn"),
    "verified": _("Verified by others"),
}


@register.filter
def event_label(event) -> str:
    """What a credential's history row says happened, in the workspace's words."""
    return str(EVENT_LABELS.get(event.kind) or sentence(event.get_kind_display()))


@register.filter
def email_breaks(address) -> str:
    """An email address that wraps at its natural joints (after ``@``, before each ``.``) instead of in
    the middle of a word: ``ada@<wbr>example<wbr>.org``-like HTML, every part escaped (issue 14)."""
    text = str(address or "")
    local, at, domain = text.rpartition("@")

    def dotted(part: str) -> str:
        return "<wbr>.".join(conditional_escape(p) for p in part.split("."))

    return mark_safe(  # noqa: S308 (every part escaped by conditional_escape)
        (dotted(local) + conditional_escape(at) + "<wbr>" if at else "") + dotted(domain)
    )


@register.filter
def problem_text(problem) -> str:
    """A bulk row's stored problem in the reader's language (its code and values), else as stored."""
    code, params = problem.get("code"), problem.get("params") or {}
    if code not in PROBLEMS:
        return problem.get("message", "")
    try:
        return str(PROBLEMS[code] % params if params else PROBLEMS[code])
    except (KeyError, TypeError, ValueError):  # a translation that names a value the row lacks
        return problem.get("message", "")


# A credential's history keeps its notes as they were written (English, with codes and addresses): the
# workspace reads the ones credstack writes back in the reader's language, and shows a note a person
# typed (a revocation reason) as it was typed.
ISSUE_SOURCES = {
    "manual": _("issued by hand"),
    "form": _("from the issue form"),
    "bulk": _("from a bulk issue"),
    "api": _("through the REST API"),
    "cli": _("from the command line"),
    "mcp": _("by an AI agent (MCP)"),
    "correction": _("as a correction"),
    "renewal": _("as a renewal"),
    "awarding": _("by an award rule"),
    "event": _("on an event received"),
    "demo": _("by the demo data"),
    "webhook": _("by an inbound integration"),
    "pathway": _("on completing a pathway"),
    "course": _("on completing a course"),
}
EMAILS = {
    "issued": _("credential email to %(to)s"),
    "resend": _("email sent again to %(to)s"),
    "expiry": _("expiry reminder to %(to)s"),
}
EMAIL_KINDS = {
    "issued": _("credential email"),
    "resend": _("email sent again"),
    "expiry": _("expiry reminder"),
}
REPORTED = {
    "bounced": _("%(email)s bounced"),
    "was marked as spam by its recipient": _("%(email)s was marked as spam by its recipient"),
}
SHARE_CHANNELS = {"linkedin": "LinkedIn", "email": _("by email"), "copy": _("link copied")}
VERIFIED_AS = {
    "valid": _("Valid credential"),
    "revoked": _("Revoked"),
    "suspended": _("Suspended"),
    "expired": _("Expired"),
    "unverified": _("Could not be fully checked"),
    "invalid": _("Not valid"),
}
_VIA = re.compile(r"^via (\w+)$")
_REPLACED = re.compile(r"^Replaced by (\S+)(?:: (.*))?$", re.S)
_RENEWED = re.compile(r"^Renewed: replaced by (\S+)$")
_EXPIRY = re.compile(r"^(never|\d{4}-\d\d-\d\d) -> (never|\d{4}-\d\d-\d\d)(?:: (.*))?$", re.S)
_SENT = re.compile(r"^(issued|resend|expiry) email to (\S+?)(?: \(attempt (\d+)\))?$")
_FAILED = re.compile(
    r"^(issued|resend|expiry) email \((?:after (\d+) attempts|(permanent failure))\): (.*)$", re.S
)
_REPORT = re.compile(
    r"^(issued|resend|expiry) email to (\S+) (bounced|was marked as spam by its recipient)(?:: (.*))?$", re.S
)


def _with_reason(text: str, reason: str | None) -> str:
    return f"{text}: {reason}" if reason else text


def _date(value: str) -> str:
    return str(_("never")) if value == "never" else value


@register.filter
def stored_note(note: str, kind: str = "") -> str:
    """A note credstack wrote (a history row's, or a revocation reason) in the reader's language; any other
    text as it is. ``kind``: the history row's kind (notes are read by what happened)."""
    text = str(note or "")
    if kind in ("", "replaced", "revoked"):
        if m := _RENEWED.match(text):
            return _("Renewed: replaced by %(uri)s") % {"uri": m[1]}
        if m := _REPLACED.match(text):
            return _with_reason(_("Replaced by %(uri)s") % {"uri": m[1]}, m[2])
    if kind == "issued" and (m := _VIA.match(text)) and m[1] in ISSUE_SOURCES:
        return str(ISSUE_SOURCES[m[1]])
    if kind == "expiry_changed" and (m := _EXPIRY.match(text)):
        return _with_reason(f"{_date(m[1])} → {_date(m[2])}", m[3])
    if kind == "delivered" and (m := _SENT.match(text)):
        sent = EMAILS[m[1]] % {"to": m[2]}
        return sent + " " + _("(attempt %(n)s)") % {"n": m[3]} if m[3] else sent
    if kind == "delivery_failed":
        if m := _FAILED.match(text):
            why = _("after %(n)s attempts") % {"n": m[2]} if m[2] else _("permanent failure")
            return f"{EMAIL_KINDS[m[1]]} ({why}): {m[4]}"
        if m := _REPORT.match(text):
            email = EMAILS[m[1]] % {"to": m[2]}
            return _with_reason(REPORTED[m[3]] % {"email": email}, m[4])
    if kind == "shared" and text in SHARE_CHANNELS:
        return str(SHARE_CHANNELS[text])
    if kind == "verified" and text in VERIFIED_AS:
        return str(VERIFIED_AS[text])
    return text


@register.filter
def event_note(event) -> str:
    """A credential history row's note in the reader's language (``stored_note``)."""
    return stored_note(event.note, event.kind)
