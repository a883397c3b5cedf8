"""Reads over credentials shared by every entry point (the workspace list, the JSON API)."""

from __future__ import annotations

import re
import unicodedata

from django.conf import settings
from django.db import connection
from django.db.models import Q

from credstack.organizations.queries import domain_for_host

from . import search as name_search

_PUBLIC_ID = re.compile(r"^[A-Za-z0-9_-]{10,32}$")
_ID_PREFIX = re.compile(r"^[A-Za-z0-9_-]{4,32}$")
MIN_FRAGMENT = 4
MAX_TERM = 200


def clean_term(q: str | None) -> str:
    """The search box's text as searched: control characters become spaces (they are never in a name or
    an email, and PostgreSQL refuses NUL), runs of white space one space, at most 200 characters."""
    q = "".join(ch if unicodedata.category(ch) != "Cc" else " " for ch in (q or ""))
    return " ".join(q.split())[:MAX_TERM]


def skill_achievements(achievements, term: str) -> list[int]:
    """The ids of ``achievements`` aligned to a skill whose name or code contains ``term`` (folded as
    the name search folds: "gestion de proyectos" finds "Gestión de proyectos")."""
    folded = name_search.fold(term) or ""
    if len(folded) < name_search.MIN_TRIGRAM:
        return []
    ids = []
    for pk, alignments in achievements.values_list("pk", "alignments"):
        for a in alignments or []:
            if not isinstance(a, dict):
                continue
            if any(folded in (name_search.fold(str(a.get(key) or "")) or "") for key in ("name", "code")):
                ids.append(pk)
                break
    return ids


def search(qs, q: str | None, achievements=None):
    """Narrow ``qs`` (an organization's credentials) to those the search box's ``q`` finds (decisions 0024
    and 0061):

    - a credential URL (``…/c/<id>``) or a public id: that credential;
    - an email address: exactly that address (its domain in any case); a piece of one with ``@``: the
      addresses containing it;
    - the recipient name contains it, ignoring case in every script and accents ("петров" finds
      "Ольга Петрова", "tomas" "Tomás"), served by a trigram index on PostgreSQL and SQLite alike;
    - one word of 3+ characters: also the addresses containing it ("gmail", "ana.p");
    - one word of 4+ characters: also the ids starting with it;
    - given ``achievements`` (the organization's), 3+ characters: also the credentials of those aligned
      to a skill whose name or code contains it.
    """
    q = clean_term(q)
    if not q:
        return qs
    if "/c/" in q:
        q = q.rsplit("/c/", 1)[1].split("?")[0].split(".")[0]
    if "@" in q:
        local, domain = q.rsplit("@", 1)
        if local and "." in domain.strip("."):  # a whole address: exactly it
            return qs.filter(recipient_email__in={q, q.lower(), local + "@" + domain.lower()})
        return qs.filter(recipient_email__icontains=q)  # a fragment: "ada@", "@example.org"
    if _PUBLIC_ID.match(q) and qs.filter(public_id=q).exists():
        return qs.filter(public_id=q)
    names = name_search.text_filter(qs, q)
    # One word of 4+ characters may also be the start of an id ("Xr4T"): pasted from a URL (issue 14).
    # Those few rows are looked up first, through the id's index: an OR in the query itself would make
    # the database test every row of a common name term (1.2 s at 200k rows instead of 3 ms).
    extra = Q()
    if " " not in q and len(q) >= MIN_FRAGMENT and _ID_PREFIX.match(q):
        prefixed = list(qs.filter(_id_prefix(q)).values_list("pk", flat=True)[: name_search.FEW])
        if prefixed:
            extra |= Q(pk__in=prefixed)
    if achievements is not None:
        aligned = skill_achievements(achievements, q)
        if aligned:
            extra |= Q(achievement_id__in=aligned)
    if not extra:
        return names
    return qs.filter(Q(pk__in=names.values("pk")) | extra)


def exact_names(qs, q: str | None):
    """The credentials of ``qs`` whose holder's name is the search box's ``q`` (ignoring case and
    accents), for the list to show first: "Lernende 42" above the newer "Lernende 420" to "429" it also
    finds. None when ``q`` is not a name (an address, an id, a link) or the search cannot be narrowed
    through the indexes (``search.exact_filter``)."""
    q = clean_term(q)
    if not q or "@" in q or "/c/" in q or (_PUBLIC_ID.match(q) and qs.filter(public_id=q).exists()):
        return None
    return name_search.exact_filter(qs, q)


def _id_prefix(q: str) -> Q:
    """Ids starting with ``q``, case-sensitive, served by an index: SQLite's LIKE ignores ASCII case and
    cannot use the id's (BINARY) index, a range can; PostgreSQL's startswith uses the varchar_pattern_ops
    index Django adds beside a unique CharField."""
    if connection.vendor == "sqlite":
        return Q(public_id__gte=q, public_id__lt=q + "\U0010ffff")
    return Q(public_id__startswith=q)


def own_public_id(url: str) -> str | None:
    """The public id of a credential URL of this deployment (its own address, or an organization's own
    domain, decision 0049), or None for any other URL. ``?query``, ``#fragment``, ``.json`` ignored."""
    url = url.strip()
    rest = None
    ours = f"{settings.CREDSTACK_BASE_URL}/c/"
    if url.startswith(ours):
        rest = url[len(ours) :]
    elif url.startswith(("https://", "http://")):
        host = url.split("://", 1)[1].split("/", 1)[0]
        domain = domain_for_host(host) if "@" not in host else None
        if domain is not None and url.startswith(f"{domain.origin}/c/"):
            rest = url[len(domain.origin) + 3 :]
    if rest is None:
        return None
    return rest.split("?", 1)[0].split("#", 1)[0].removesuffix(".json").strip("/")
