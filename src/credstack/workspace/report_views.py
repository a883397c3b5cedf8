"""Workspace pages that report: the audit log and analytics (each with a CSV export)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.db.models import Min, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_safe

from credstack.achievements.models import Achievement
from credstack.credentials.models import Credential, CredentialEvent
from credstack.organizations.models import AuditEntry, Role
from credstack.organizations.permissions import member_required
from credstack.ui.exports import csv_text

from .queries import analytics, analytics_by_skill, daily_series

# ---- audit log and analytics ---------------------------------------------------------------------


@member_required(Role.VIEWER)
@require_safe
def audit_log(request, org_slug):
    """The audit log, newest first, 100 a page; filtered by what was done and by who (a piece of their
    name); a credential's target shows its holder and achievement and links to it (issue 14)."""
    org = request.organization
    qs = AuditEntry.objects.filter(organization=org).order_by("-at", "-id")
    action = request.GET.get("action", "").strip()[:60]
    who = " ".join(request.GET.get("who", "").split())[:100]
    if action:
        qs = qs.filter(action=action)
    if who:
        qs = qs.filter(actor_label__icontains=who)
    before = request.GET.get("before")
    if before and before.isdigit():
        qs = qs.filter(id__lt=int(before))
    entries = list(qs[:100])
    ids = {e.target for e in entries if e.action.startswith("credential.") and e.target}
    held = {
        c.public_id: c
        for c in Credential.objects.filter(organization=org, public_id__in=ids).select_related("achievement")
    }
    for e in entries:
        e.credential = held.get(e.target)  # type: ignore[attr-defined]
    actions = (
        AuditEntry.objects.filter(organization=org)
        .order_by("action")
        .values_list("action", flat=True)
        .distinct()
    )
    keep = {k: v for k, v in (("action", action), ("who", who)) if v}
    return render(
        request,
        "workspace/audit.html",
        {
            "entries": entries,
            "actions": list(actions),
            "action": action,
            "who": who,
            "filtered": bool(keep),
            "older": urlencode({**keep, "before": entries[-1].id}) if len(entries) == 100 else "",
        },
    )


@member_required(Role.VIEWER)
@require_safe
def audit_csv(request, org_slug):
    qs = AuditEntry.objects.filter(organization=request.organization).order_by("-at", "-id")
    rows = (
        [e.at.isoformat(), e.actor_label, e.action, e.target, e.detail] for e in qs.iterator(chunk_size=2000)
    )
    response = HttpResponse(
        csv_text(["at", "who", "action", "target", "detail"], rows), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="audit-log.csv"'
    return response


def default_days(org, achievement=None) -> int:
    """The chart's default period: 90 days, or less when the organization's first credential is younger
    (at least 14), so a week of activity is not one spike at the right edge of a 90-day axis (issue 14)."""
    qs = CredentialEvent.objects.filter(credential__organization=org)
    if achievement is not None:
        qs = qs.filter(credential__achievement=achievement)
    first = qs.aggregate(first=Min("at"))["first"]
    if first is None:
        return 90
    return max(14, min(90, (timezone.now() - first).days + 1))


@member_required(Role.VIEWER)
@require_safe
def analytics_view(request, org_slug):
    org = request.organization
    achievement = None
    if request.GET.get("achievement"):
        achievement = get_object_or_404(Achievement, organization=org, public_id=request.GET["achievement"])
    table, totals = analytics(org)
    days = (
        int(request.GET["days"]) if request.GET.get("days", "").isdigit() else default_days(org, achievement)
    )
    series = daily_series(org, achievement, days=days)
    return render(
        request,
        "workspace/analytics.html",
        {
            "table": table,
            "totals": totals,
            "skills": analytics_by_skill(table),
            "series": series,
            "achievement": achievement,
            "achievements": Achievement.objects.filter(organization=org).order_by("name"),
            "kinds": ANALYTICS_KINDS,
            "day_choices": sorted({days, 30, 90, 365}),
        },
    )


ANALYTICS_KINDS = [
    ("issued", pgettext_lazy("what happened", "Issued")),
    ("delivered", gettext_lazy("Delivered")),
    ("opened", gettext_lazy("Opened")),
    ("viewed", gettext_lazy("Viewed")),
    ("downloaded", gettext_lazy("Downloaded")),
    ("shared", gettext_lazy("Shared")),
    ("linkedin", gettext_lazy("Added to LinkedIn")),
    ("verified", gettext_lazy("Verified by others")),
]


@member_required(Role.VIEWER)
@require_safe
def analytics_csv(request, org_slug):
    table, totals = analytics(request.organization)
    kinds = [k for k, _ in ANALYTICS_KINDS]
    rows = [[r["name"], *[r["counts"].get(k, 0) for k in kinds]] for r in table]
    rows.append(["All achievements", *[totals.get(k, 0) for k in kinds]])
    response = HttpResponse(csv_text(["achievement", *kinds], rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="analytics.csv"'
    return response


__all__ = ["CredentialEvent", "Q"]
