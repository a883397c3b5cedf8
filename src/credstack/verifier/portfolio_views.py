"""A learner's public portfolio (``/p/<slug>``): the credentials they picked, grouped by issuer and pathway,
the skills they align to, and "verify all", which checks every credential live with the verifier service.

Served by the verifier (an entry point) because verifying is its job; the portfolio itself (its rows, its
writes, what it shows) belongs to the portal (decision 0041)."""

from __future__ import annotations

import json

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from credstack import ratelimit
from credstack.portal import export, showcase
from credstack.render import qr

from .service import verify_upload
from .views import STATUS_TITLES

# "verify all" checks up to 50 signatures and status lists a run: a client may ask this often
VERIFY_ALL = ratelimit.Limit("portfolio-verify-all-per-client", 20, 600)


def _unavailable(request: HttpRequest, slug: str, portfolio) -> HttpResponse:
    """Never published or unknown: 404; withdrawn by its learner: 410. Both say so in words."""
    withdrawn = portfolio is not None and portfolio.withdrawn_at is not None
    return render(
        request,
        "verifier/portfolio_unavailable.html",
        {"slug": slug, "withdrawn": withdrawn},
        status=410 if withdrawn else 404,
    )


def _shared(slug: str):
    portfolio = showcase.published(slug)
    return portfolio if portfolio is not None and portfolio.published else None


def _page(request: HttpRequest, slug: str, *, verify: bool) -> HttpResponse:
    portfolio = _shared(slug)
    if portfolio is None:
        return _unavailable(request, slug, showcase.published(slug))
    items = showcase.entries(portfolio)
    results: dict[str, dict] = {}
    busy = ""
    if verify:
        try:
            ratelimit.hit(VERIFY_ALL, ratelimit.client_key(request))
        except ratelimit.Limited as exc:
            verify, busy = (
                False,
                _("You have checked portfolios many times in a few minutes: try again %(wait)s.")
                % {"wait": exc.wait},
            )
    if verify:
        for e in items:
            report = verify_upload(e.credential.document)
            report["title"] = STATUS_TITLES.get(report["status"], report["status"])
            # a state (revoked, expired…) says it all; a broken signature or issuer needs its reason
            stated = report["status"] in ("revoked", "suspended", "expired", "not-yet-valid")
            report["problems"] = (
                [] if stated else [c for c in report.get("checks", []) if c.get("ok") is False]
            )
            results[e.credential.public_id] = report
    groups = showcase.groups(items)
    for group in groups:
        for section in group.sections:
            for e in section.entries:
                e.result = results.get(e.credential.public_id)  # type: ignore[attr-defined]
    verified = sum(1 for r in results.values() if r["valid"])
    names = {e.credential.recipient_name for e in items}
    return render(
        request,
        "verifier/portfolio.html",
        {
            "portfolio": portfolio,
            "title": portfolio.title or (next(iter(names)) if len(names) == 1 else "Portfolio"),
            "groups": groups,
            "count": len(items),
            "issuers": len(groups),
            "skills": showcase.skills(items),
            "clr_count": len(showcase.clr_credentials(items)),
            "share": showcase.share_links(portfolio),
            "verified": verify,
            "verified_count": verified,
            "all_valid": verify and verified == len(items),
            "busy": busy,
        },
        status=429 if busy else 200,
    )


@never_cache
@require_safe
def portfolio_page(request: HttpRequest, slug: str) -> HttpResponse:
    return _page(request, slug, verify=False)


@never_cache
@require_safe
def portfolio_verify(request: HttpRequest, slug: str) -> HttpResponse:
    """Every credential of the portfolio checked now, live: signature, issuer, status list, dates."""
    return _page(request, slug, verify=True)


@never_cache
@require_safe
def portfolio_clr(request: HttpRequest, slug: str) -> HttpResponse:
    """The portfolio's valid credentials as one CLR 2.0 credential, signed by the platform."""
    portfolio = _shared(slug)
    if portfolio is None:
        return _unavailable(request, slug, showcase.published(slug))
    credentials = showcase.clr_credentials(showcase.entries(portfolio))
    doc = export.portfolio_clr(
        portfolio.account, credentials, name=portfolio.title or "Portfolio of credentials", public=True
    )
    response = HttpResponse(
        json.dumps(doc, ensure_ascii=False, indent=1), content_type="application/vc+ld+json; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{portfolio.slug}-clr.json"'
    return response


@require_safe
def portfolio_qr(request: HttpRequest, slug: str) -> HttpResponse:
    """A QR code of the portfolio's address (shown while it is shared)."""
    portfolio = _shared(slug)
    if portfolio is None:
        return _unavailable(request, slug, showcase.published(slug))
    url = showcase.share_links(portfolio)["url"]
    response = HttpResponse(qr.svg_document(url, title=f"QR code: {url}"), content_type="image/svg+xml")
    response["Cache-Control"] = "no-cache"
    return response
