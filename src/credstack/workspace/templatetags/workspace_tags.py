from django import template
from django.utils import timezone

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
    "delivered": "Email sent",
    "delivery_failed": "Email failed",
    "opened": "Email opened",
    "clicked": "Link in the email clicked",
    "expiry_changed": "Expiry changed",
}


@register.filter
def event_label(event) -> str:
    """What a credential's history row says happened, in the workspace's words."""
    return EVENT_LABELS.get(event.kind) or sentence(event.get_kind_display())
