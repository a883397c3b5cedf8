from django import template

register = template.Library()


@register.filter
def dictget(d, key):
    return (d or {}).get(key, 0)


@register.filter
def expired(credential) -> bool:
    """An active credential whose end date has passed: verifiers call it expired, so the workspace does too."""
    from django.utils import timezone

    until = getattr(credential, "valid_until", None)
    return credential.state == "active" and until is not None and until <= timezone.now()
