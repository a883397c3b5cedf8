"""Reads for the workspace: the credential list (keyset pagination), analytics."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta

from django.db.models import Count, Max, Min, OuterRef, Q, Subquery
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from credstack.achievements.models import Achievement
from credstack.credentials import queries as credential_queries
from credstack.credentials.models import Credential, CredentialEvent
from credstack.delivery.models import Delivery

PAGE_SIZE = 50
EXACT_FIRST = 10  # at most this many holders of the searched name are shown first (more: a common name)
SORTS = {
    "newest": ("-issued_at", "-id"),
    "oldest": ("issued_at", "id"),
    "name": ("recipient_name", "id"),
}
_ID_CHARS = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


@dataclass
class Page:
    items: list
    next_cursor: str | None
    sort: str
    filters: dict = field(default_factory=dict)
    exact: set[int] = field(default_factory=set)  # the ids of the rows shown first: their name is the search


def _date(value: str | None):
    try:
        return datetime.strptime(value or "", "%Y-%m-%d").date()
    except ValueError:
        return None


def filtered(org, params) -> tuple:
    qs = credential_queries.search(
        Credential.objects.filter(organization=org), params.get("q"), achievements=org.achievements.all()
    )
    if params.get("achievement"):
        if _ID_CHARS.match(params["achievement"]):
            qs = qs.filter(achievement__public_id=params["achievement"])
        else:
            qs = qs.none()
    if params.get("state") in Credential.State.values:
        qs = qs.filter(state=params["state"])
    if d := _date(params.get("from")):
        qs = qs.filter(issued_at__gte=datetime.combine(d, time.min, tzinfo=UTC))
    if d := _date(params.get("to")):
        qs = qs.filter(issued_at__lte=datetime.combine(d, time.max, tzinfo=UTC))
    sort = params.get("sort") if params.get("sort") in SORTS else "newest"
    return qs, sort


def with_delivery_state(qs):
    """Annotate ``delivery``: the state of each credential's latest email ("" when none), as
    ``credstack.delivery.actions.delivery_state`` gives it, in the same query (no N+1)."""
    latest = Delivery.objects.filter(credential=OuterRef("pk")).order_by("-created_at", "-id")
    return qs.annotate(delivery=Subquery(latest.values("state")[:1]))


def credential_page(org, params, limit: int | None = PAGE_SIZE):
    """One page of the organization's credentials, newest first by default. Keyset pagination: the
    cursor is the last row's public id, so page N costs the same as page 1 at any table size."""
    qs, sort = filtered(org, params)
    order = SORTS[sort]
    qs = with_delivery_state(qs.select_related("achievement")).order_by(*order)
    if limit is None:
        return qs
    # the holders whose name is the search come first, on the first page, and not again further on; a
    # name held by more than EXACT_FIRST is no one in particular
    exact = credential_queries.exact_names(qs, params.get("q"))
    pinned = [] if exact is None else list(exact[: EXACT_FIRST + 1])
    if len(pinned) > EXACT_FIRST:
        pinned = []
    if pinned:
        qs = qs.exclude(pk__in=[c.pk for c in pinned])
    after = None  # the cursor, once found: a page after the first
    cursor = params.get("after")
    if cursor and _ID_CHARS.match(cursor):
        last = (
            Credential.objects.filter(organization=org, public_id=cursor)
            .values(order[0].lstrip("-"), "id")
            .first()
        )
        if last:
            after = cursor
            key, value = order[0].lstrip("-"), last[order[0].lstrip("-")]
            # (key, id) < (value, last id), written so the index range is used: key <= value AND (...)
            if order[0].startswith("-"):
                qs = qs.filter(**{f"{key}__lte": value}).filter(
                    Q(**{f"{key}__lt": value}) | Q(**{key: value, "id__lt": last["id"]})
                )
            else:
                qs = qs.filter(**{f"{key}__gte": value}).filter(
                    Q(**{f"{key}__gt": value}) | Q(**{key: value, "id__gt": last["id"]})
                )
    items = list(qs[: limit + 1])
    next_cursor = items[limit - 1].public_id if len(items) > limit else None
    shown_first = [] if after else pinned
    return Page(shown_first + items[:limit], next_cursor, sort, exact={c.pk for c in shown_first})


# What others do with a credential (its public page viewed, files downloaded, shared, verified): one summary line
# a kind on the credential's history, however many times it happened. Everything else (issued, revoked,
# suspended, reinstated, replaced, expiry changed, emails sent, opened, clicked) stays one row per event.
ENGAGEMENT = {
    "viewed": _("Public page viewed"),
    "downloaded": _("Downloaded"),
    "shared": _("Shared by the recipient"),
    "linkedin": _("Added to LinkedIn"),
    "verified": _("Verified by others"),
}
HISTORY_ROWS = 200


@dataclass
class EngagementLine:
    kind: str
    label: str
    count: int
    first: datetime
    last: datetime
    # [(note, count)], most frequent first: [("pdf", 3), ("json", 1)]
    detail: list = field(default_factory=list)


@dataclass
class History:
    engagement: list  # EngagementLine, in ENGAGEMENT's order
    events: list  # the other CredentialEvents, newest first, at most HISTORY_ROWS
    more: bool  # older state changes exist beyond the rows shown


def credential_history(credential, limit: int = HISTORY_ROWS) -> History:
    """A credential's history in two queries, whatever its number of events."""
    grouped: dict[str, EngagementLine] = {}
    rows = (
        CredentialEvent.objects.filter(credential=credential, kind__in=list(ENGAGEMENT))
        .values("kind", "note")
        .annotate(n=Count("id"), first=Min("at"), last=Max("at"))
        .order_by()
    )
    for r in rows:
        line = grouped.get(r["kind"])
        if line is None:
            line = grouped[r["kind"]] = EngagementLine(
                r["kind"], str(ENGAGEMENT[r["kind"]]), 0, r["first"], r["last"]
            )
        line.count += r["n"]
        line.first, line.last = min(line.first, r["first"]), max(line.last, r["last"])
        if r["note"]:
            line.detail.append((r["note"], r["n"]))
    for line in grouped.values():
        line.detail.sort(key=lambda d: (-d[1], d[0]))
    events = list(
        credential.events.exclude(kind__in=list(ENGAGEMENT))
        .select_related("actor")
        .order_by("-at", "-id")[: limit + 1]
    )
    return History([grouped[k] for k in ENGAGEMENT if k in grouped], events[:limit], len(events) > limit)


TRACKED = ("issued", "delivered", "opened", "viewed", "downloaded", "shared", "linkedin", "verified")


def analytics(org):
    """Per achievement: how many credentials had each kind of event (issued, delivered, viewed, ...)."""
    rows = (
        CredentialEvent.objects.filter(credential__organization=org, kind__in=TRACKED)
        .values("credential__achievement_id", "kind")
        .annotate(n=Count("credential_id", distinct=True))
        .order_by()
    )
    by_achievement: dict[int, dict] = {}
    for r in rows:
        by_achievement.setdefault(r["credential__achievement_id"], {})[r["kind"]] = r["n"]
    table = []
    totals: dict[str, int] = {}
    for a in Achievement.objects.filter(organization=org).order_by("name"):
        counts = by_achievement.get(a.id, {})
        table.append({"achievement": a, "name": a.name, "counts": counts})
        for k, v in counts.items():
            totals[k] = totals.get(k, 0) + v
    return table, totals


def analytics_by_skill(table: list[dict]) -> list[dict]:
    """Analytics by skill (issue 17): for each skill an achievement is aligned to (its OB 3.0
    ``alignment``), the counts of ``analytics`` summed over those achievements (a credential has one
    achievement, so each is counted once a skill), most issued first."""
    rows: dict[str, dict] = {}
    for r in table:
        for al in r["achievement"].alignments or []:
            key = al.get("url") or al.get("name", "")
            if not key:
                continue
            row = rows.setdefault(
                key,
                {
                    "name": al.get("name", "") or key,
                    "framework": al.get("framework", ""),
                    "code": al.get("code", ""),
                    "achievements": [],
                    "counts": {},
                },
            )
            if r["achievement"] not in row["achievements"]:
                row["achievements"].append(r["achievement"])
                for kind, n in r["counts"].items():
                    row["counts"][kind] = row["counts"].get(kind, 0) + n
    return sorted(rows.values(), key=lambda row: (-row["counts"].get("issued", 0), row["name"].casefold()))


# the chart's legend
CHART_LABELS = {
    "issued": pgettext_lazy("what happened", "Issued"),
    "viewed": _("Viewed"),
    "verified": _("Verified by others"),
}


def daily_series(org, achievement=None, days: int = 90, kinds=("issued", "viewed", "verified")):
    """Counts a day for the chart, as ready-to-draw SVG polylines."""
    days = max(7, min(days, 730))
    start = (timezone.now() - timedelta(days=days - 1)).date()
    qs = CredentialEvent.objects.filter(
        credential__organization=org, kind__in=kinds, at__gte=datetime.combine(start, time.min, tzinfo=UTC)
    )
    if achievement:
        qs = qs.filter(credential__achievement=achievement)
    data = qs.annotate(day=TruncDate("at")).values("day", "kind").annotate(n=Count("id")).order_by()
    grid = {k: [0] * days for k in kinds}
    for r in data:
        i = (r["day"] - start).days
        if 0 <= i < days:
            grid[r["kind"]][i] += r["n"]
    peak = max([1, *(max(v) for v in grid.values())])
    W, H, pad = 720, 220, 30
    colors = {"issued": "#1d4ed8", "viewed": "#047857", "verified": "#b45309"}
    lines = []
    for k, values in grid.items():
        pts = " ".join(
            f"{pad + i * (W - 2 * pad) / max(1, days - 1):.1f},{H - pad - v * (H - 2 * pad) / peak:.1f}"
            for i, v in enumerate(values)
        )
        lines.append(
            {
                "kind": CHART_LABELS.get(k, k),
                "points": pts,
                "color": colors.get(k, "#444"),
                "total": sum(values),
            }
        )
    return {
        "lines": lines,
        "peak": peak,
        "start": start,
        "end": start + timedelta(days=days - 1),
        "days": days,
        "w": W,
        "h": H,
        "pad": pad,
    }
