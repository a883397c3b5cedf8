"""A DNS that lies (never real DNS): the TXT records the tests say, for the single sign-on domain proofs
(decision 0062)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from credstack.organizations import dns
from credstack.organizations.actors import Actor
from credstack.sso import actions
from credstack.sso.models import Connection


@contextmanager
def lying_txt(records: dict[str, list[str]]) -> Iterator[list[str]]:
    """``organizations.dns.resolve_txt`` answers ``records`` (by name; none for other names). Yields the
    names asked, in order."""
    asked: list[str] = []
    before = dns.resolve_txt

    def answer(name: str) -> list[str]:
        asked.append(name)
        return list(records.get(name, []))

    dns.resolve_txt = answer
    try:
        yield asked
    finally:
        dns.resolve_txt = before


def prove_domains(connection: Connection) -> Connection:
    """Each of the connection's domains verified, its TXT record published (in the lying DNS)."""
    for domain in connection.domains.all():
        with lying_txt({domain.record_name: ["v=spf1 -all", domain.record_value]}):
            actions.verify_domain(domain, actor=Actor.command_line())
    return connection
