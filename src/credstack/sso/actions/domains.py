"""An organization's email domains for single sign-on: which it may claim, and proving it holds one (a DNS
TXT record)."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from credstack import httpclient
from credstack.organizations import audit, dns
from credstack.organizations.actors import Actor
from credstack.organizations.models import Organization
from credstack.ui import blocked

from ..models import Domain

# addresses anyone can get: no organization may claim them (its IdP would sign in strangers' addresses)
PUBLIC_MAIL_DOMAINS = frozenset(
    {
        "gmail.com",
        "googlemail.com",
        "outlook.com",
        "hotmail.com",
        "live.com",
        "msn.com",
        "yahoo.com",
        "icloud.com",
        "me.com",
        "aol.com",
        "proton.me",
        "protonmail.com",
        "gmx.de",
        "gmx.net",
        "web.de",
        "mail.ru",
        "yandex.ru",
        "qq.com",
        "163.com",
    }
)


_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


def clean_domains(organization: Organization, domains: list[str]) -> list[str]:
    cleaned: list[str] = []
    for raw in domains:
        domain = raw.strip().lower().lstrip("@").rstrip(".")
        if not domain:
            continue
        if not _DOMAIN.match(domain):
            raise ValidationError({"domains": _("“%(domain)s” is not an email domain.") % {"domain": raw}})
        if domain in PUBLIC_MAIL_DOMAINS:
            raise ValidationError(
                {
                    "domains": _("%(domain)s is a public mail service: anyone can have an address there.")
                    % {"domain": domain}
                }
            )
        taken = (
            Domain.objects.filter(domain=domain, verified_at__isnull=False)
            .exclude(connection__organization=organization)
            .exists()
        )
        if taken:
            raise ValidationError(
                {
                    "domains": _("%(domain)s signs in through another organization's identity provider.")
                    % {"domain": domain}
                }
            )
        if domain not in cleaned:
            cleaned.append(domain)
    if not cleaned:
        raise ValidationError({"domains": _("Give at least one email domain (like example.edu).")})
    return cleaned


def verify_domain(domain: Domain, *, actor: Actor) -> Domain:
    """Check the domain's DNS TXT record (``domain.record_name`` must hold ``domain.record_value``), through
    the project's resolver (``organizations.dns.resolve_txt``, decision 0062). Found: the domain is
    verified and routes sign-ins to the organization's IdP. Not found, DNS not answering, or the domain
    verified by another organization: ValidationError saying which, and nothing changes."""
    organization = domain.connection.organization
    try:
        records = dns.resolve_txt(domain.record_name)
    except httpclient.BlockedTarget as exc:
        found, message = (
            False,
            _("DNS did not answer for %(name)s (%(error)s). Try again later.")
            % {
                "name": domain.record_name,
                "error": blocked.reason(exc),
            },
        )
    else:
        found = domain.record_value in [r.strip() for r in records]
        if found:
            message = _("The TXT record of %(name)s proves that %(org)s holds %(domain)s.") % {
                "name": domain.record_name,
                "org": organization.name,
                "domain": domain.domain,
            }
        elif records:
            message = _("%(name)s has TXT records, but not this one: %(expected)s") % {
                "name": domain.record_name,
                "expected": domain.record_value,
            }
        else:
            message = _("%(name)s has no TXT record yet. Add the record below; DNS can take an hour.") % {
                "name": domain.record_name
            }
    if found:
        taken = (
            Domain.objects.filter(domain=domain.domain, verified_at__isnull=False)
            .exclude(connection__organization=organization)
            .exists()
        )
        if taken:
            found, message = (
                False,
                _("%(domain)s is already verified by another organization.") % {"domain": domain.domain},
            )
    if not found:
        raise ValidationError({"domains": message})
    try:
        with transaction.atomic():
            row = Domain.objects.select_for_update().get(pk=domain.pk)
            if row.verified_at is None:
                row.verified_at = timezone.now()
                row.save(update_fields=["verified_at"])
                audit.record(organization, actor, "sso.domain_verified", target=row.domain, detail=message)
    except IntegrityError:  # another organization verified it between the check and the save
        raise ValidationError(
            {
                "domains": _("%(domain)s is already verified by another organization.")
                % {"domain": domain.domain}
            }
        ) from None
    return row
