"""Reads for achievements: the skills search and the skills report."""

from __future__ import annotations

from django.db.models import Count, Q

from .models import Achievement, Skill

SEARCH_LIMIT = 50


def search_skills(organization, q: str, framework: str = "", limit: int = SEARCH_LIMIT):
    """The organization's skills whose name, code or description contain every word of ``q`` (in any
    case and script), from one framework (its public id) or all."""
    qs = Skill.objects.filter(framework__organization=organization).select_related("framework")
    if framework:
        qs = qs.filter(framework__public_id=framework)
    for word in q.casefold().split()[:8]:
        qs = qs.filter(search_text__contains=word)
    return qs.order_by("name", "code")[:limit]


def skills_report(organization) -> list[dict]:
    """Per skill aligned to an achievement: its framework, the achievements, the active credentials
    that carry it (analytics by skill)."""
    achievements = (
        Achievement.objects.filter(organization=organization)
        .exclude(alignments=[])
        .annotate(active=Count("credentials", filter=Q(credentials__state="active")))
        .order_by("name")
    )
    rows: dict[str, dict] = {}
    for a in achievements:
        for al in a.alignments or []:
            row = rows.setdefault(
                al.get("url", al.get("name", "")),
                {
                    "name": al.get("name", ""),
                    "framework": al.get("framework", ""),
                    "code": al.get("code", ""),
                    "achievements": [],
                    "credentials": 0,
                },
            )
            row["achievements"].append(a)
            row["credentials"] += a.active
    return sorted(rows.values(), key=lambda r: (-r["credentials"], r["name"].casefold()))
