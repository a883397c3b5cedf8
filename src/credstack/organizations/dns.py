"""Does an organization's domain point at this deployment? (decision 0049)

The check resolves the domain and the deployment's name (``CREDSTACK_CUSTOM_DOMAIN_TARGET``, the CNAME
target) and compares their addresses: a CNAME to the target, or an A/AAAA record to the same addresses,
both pass. ``resolve`` is the system resolver; tests replace it with one that answers what they want
(never real DNS).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

from credstack import httpclient


def system_resolve(host: str) -> set[str]:
    """The addresses of ``host`` (IPv4 and IPv6), or an empty set when it does not resolve."""
    try:  # the one place that looks up names (credstack.httpclient); nothing is connected to
        return set(httpclient.system_resolver(host, 443))
    except httpclient.BlockedTarget:
        return set()


# the resolver the check uses; a test sets a lying one
resolve: Callable[[str], set[str]] = system_resolve


def system_resolve_txt(name: str) -> list[str]:
    """The TXT records of ``name`` (empty when it has none); raises ``httpclient.BlockedTarget`` when DNS
    does not answer."""
    return httpclient.system_txt_resolver(name)


# the TXT resolver the ownership proofs use (single sign-on domains, decision 0062); a test sets a lying one
resolve_txt: Callable[[str], list[str]] = system_resolve_txt


@dataclass(frozen=True)
class DnsCheck:
    ok: bool
    found: tuple[str, ...]
    expected: tuple[str, ...]
    message: str


def target() -> str:
    """The name an organization's CNAME points at: ``CREDSTACK_CUSTOM_DOMAIN_TARGET``, else the host of
    the deployment's base URL."""
    base_host = settings.CREDSTACK_BASE_URL.split("://", 1)[-1].split("/", 1)[0].split(":")[0]
    return settings.CREDSTACK_CUSTOM_DOMAIN_TARGET or base_host


def check_domain(host: str) -> DnsCheck:
    target_name = target()
    found, expected = resolve(host), resolve(target_name)
    if not found:
        message = _("%(host)s does not resolve yet. Add the CNAME record below; DNS can take an hour.") % {
            "host": host
        }
        return DnsCheck(False, (), tuple(sorted(expected)), message)
    if expected and found <= expected:
        message = _("%(host)s points at this deployment (%(addresses)s).") % {
            "host": host,
            "addresses": ", ".join(sorted(found)),
        }
        return DnsCheck(True, tuple(sorted(found)), tuple(sorted(expected)), message)
    message = _("%(host)s resolves to %(found)s, not to this deployment (%(expected)s). Check its CNAME.") % {
        "host": host,
        "found": ", ".join(sorted(found)),
        "expected": ", ".join(sorted(expected)) or target_name,
    }
    return DnsCheck(False, tuple(sorted(found)), tuple(sorted(expected)), message)
