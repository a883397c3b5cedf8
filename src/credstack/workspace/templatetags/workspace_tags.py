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
