"""The organization's own domain (decision 0049): set (a host name checked, a previous one retired but
still served) and retired."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .. import audit
from ..actors import Actor, as_actor
from ..models import Domain, Organization, Role, host_validator
from ..rules import require_role


def normalise_host(value: str) -> str:
    """``Certificates.Example.edu.`` -> ``certificates.example.edu``; a pasted URL gives its host name.
    Raises ValidationError with what is wrong (a port, a path, an IP address, the deployment's own name)."""
    host = (value or "").strip().lower()
    if "://" in host:
        host = host.split("://", 1)[1]
    host = host.split("/", 1)[0].rstrip(".")
    if not host:
        raise ValidationError({"host": _("Enter a host name such as certificates.example.edu.")})
    if ":" in host:
        raise ValidationError({"host": _("Give the host name alone, without a port: browsers use 443.")})
    if host.replace(".", "").isdigit():
        raise ValidationError({"host": _("Give a host name, not an IP address: certificates need a name.")})
    own = settings.CREDSTACK_BASE_URL.split("://", 1)[-1].split("/", 1)[0].split(":")[0]
    if host == own or host in settings.ALLOWED_HOSTS:
        raise ValidationError({"host": _("That is this deployment's own name: choose a name of your own.")})
    try:
        host_validator(host)
    except ValidationError as exc:
        raise ValidationError({"host": exc.messages})
    return host


def set_domain(org: Organization, host: str, did_web: bool, actor: Actor) -> Domain:
    """Use ``host`` for the organization's new credentials (links, QR codes; with ``did_web`` their issuer
    id ``did:web:<host>``). A previous domain is retired: still served, so its credentials keep working.
    A host another organization holds (or held) is refused. Admins and owners only."""
    host = normalise_host(host)
    actor = as_actor(actor)
    require_role(org, actor, Role.ADMIN, _("Only owners and admins change the organization's domain."))
    with transaction.atomic():
        org = Organization.objects.select_for_update().get(pk=org.pk)
        existing = Domain.objects.filter(host=host).first()
        if existing is not None and existing.organization_id != org.pk:
            raise ValidationError({"host": _("Another organization uses that host name.")})
        now = timezone.now()
        Domain.objects.filter(organization=org, retired_at__isnull=True).exclude(host=host).update(
            retired_at=now
        )
        if existing is None:
            domain = Domain(organization=org, host=host, did_web=did_web)
        else:
            domain = existing
            domain.did_web, domain.retired_at = did_web, None
        domain.full_clean()
        domain.save()
        audit.record(org, actor, "domain.set", host, "issuer did:web of the domain" if did_web else "")
    return domain


def retire_domain(org: Organization, actor: Actor) -> Domain | None:
    """Stop using the organization's domain for new credentials (they go back to the deployment's
    address). The host keeps serving what was issued under it, and stays reserved to the organization."""
    actor = as_actor(actor)
    require_role(org, actor, Role.ADMIN, _("Only owners and admins change the organization's domain."))
    with transaction.atomic():
        domain = Domain.objects.select_for_update().filter(organization=org, retired_at__isnull=True).first()
        if domain is None:
            return None
        domain.retired_at = timezone.now()
        domain.save(update_fields=["retired_at"])
        audit.record(org, actor, "domain.retired", domain.host, "")
    return domain
