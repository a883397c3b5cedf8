"""The recipient portal: passwordless sign-in, the portfolio, sharing, visibility, export, deletion."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import slugify
from django.utils.translation import gettext
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from credstack import ratelimit
from credstack.credentials.models import Credential
from credstack.delivery.models import Delivery
from credstack.organizations.models import Organization
from credstack.organizations.queries import platform_did_document
from credstack.pathways.queries import progress_for_emails
from credstack.sso import queries as sso_queries

from . import actions, export, queries, session, share, showcase
from .models import LoginCode, Portfolio

PENDING = "portal_pending_email"


class MailtoRedirect(HttpResponseRedirect):
    allowed_schemes = ["mailto"]


ORG = "portal_org"


def _ip(request: HttpRequest) -> str | None:
    """The client's address (through CREDSTACK_TRUSTED_PROXIES only): what per-client limits count."""
    return ratelimit.client_ip(request)


def _org(request: HttpRequest) -> Organization | None:
    """The organization whose brand the portal wears: the one whose own domain this is (decision 0049),
    else the one the learner came from."""
    site = getattr(request, "site_org", None)
    if isinstance(site, Organization):
        return site
    slug = request.GET.get("org") or request.session.get(ORG)
    return Organization.objects.filter(slug=slug).first() if slug else None


def _brand(org: Organization | None) -> dict:
    if org is None:
        return {}
    return {
        "org": org,
        "brand": getattr(org, "brand_color", "") or "#1d3f6e",
        "logo": getattr(org, "logo_url", "") or org.image_url,
    }


def _account_or_login(request: HttpRequest):
    """The account signed in with a code, or a redirect to the sign-in page (which, after an LMS launch,
    asks for a code to the account's address: decision 0023)."""
    account = queries.current_account(request)
    if account is None:
        return None, redirect(f"/me/login?{urlencode({'next': request.get_full_path()})}")
    return account, None


def _safe_next(request: HttpRequest, default: str = "/me/") -> str:
    """Where to go after signing in: a page of the portal or of the course player (one sign-in)."""
    nxt = request.POST.get("next") or request.GET.get("next") or default
    if not nxt.startswith(("/me", "/learn")) or not url_has_allowed_host_and_scheme(nxt, allowed_hosts=None):
        return default
    return nxt


def _confirming(request: HttpRequest):
    """The account signed in by an LMS launch only, which must confirm with a code for the portal."""
    if session.assurance(request) != session.LTI:
        return None
    return session.account(request, minimum=session.LTI)


@never_cache
@require_http_methods(["GET", "POST"])
def login(request: HttpRequest) -> HttpResponse:
    org = _org(request)
    email, error = "", ""
    if request.method == "GET" and request.GET.get("d"):
        delivery = Delivery.objects.select_related("organization").filter(token=request.GET["d"]).first()
        if delivery:
            email = delivery.to
            org = org or delivery.organization
    if org:
        request.session[ORG] = org.slug
    confirming = _confirming(request)
    if confirming is not None and request.method == "GET" and not email:
        first = confirming.emails.first()
        email = first.email if first else ""
    if request.method == "POST":
        email = request.POST.get("email", "").strip()
        connection = sso_queries.connection_for_email(email)
        if connection is not None:
            # the address's organization signs it in (decision 0055): its IdP, not a code
            return sso_queries.start(request, connection, _safe_next(request), portal=True)
        try:
            actions.request_code(email, ip=_ip(request), org=org)
        except ValidationError:
            error = (
                _("“%(email)s” is not an email address.") % {"email": email}
                if email
                else _("Enter your email address.")
            )
        except actions.CodeError as exc:
            error = str(exc)
        else:
            request.session[PENDING] = email
            return redirect(f"/me/login/code?{urlencode({'next': _safe_next(request)})}")
    return render(
        request,
        "portal/login.html",
        {
            "email": email,
            "error": error,
            "next": _safe_next(request),
            "confirming": confirming is not None,
            **_brand(org),
        },
        status=400 if error else 200,
    )


@never_cache
@require_http_methods(["GET", "POST"])
def login_code(request: HttpRequest) -> HttpResponse:
    email = request.session.get(PENDING)
    if not email:
        return redirect("/me/login")
    error = ""
    connection = sso_queries.connection_for_email(email)
    if request.method == "POST" and connection is not None and connection.required:
        # the domain's organization turned single sign-on on, and made it required, after the code was sent
        error = gettext("%(org)s signs %(email)s in through single sign-on: a code is not accepted.") % {
            "org": connection.organization.name,
            "email": email,
        }
    elif request.method == "POST":
        try:
            account = actions.sign_in(email, request.POST.get("code", ""), ip=_ip(request))
        except actions.CodeError as exc:
            error = str(exc)
        else:
            # one session for the portal and the course player (decision 0023)
            session.start(request, account, session.CODE)
            request.session.pop(PENDING, None)
            return redirect(_safe_next(request))
    return render(
        request,
        "portal/code.html",
        {
            "email": email,
            "error": error,
            "next": _safe_next(request),
            "purpose": "login",
            **_brand(_org(request)),
        },
        status=400 if error else 200,
    )


@require_POST
def logout(request: HttpRequest) -> HttpResponse:
    session.end(request)  # signs out of the course player too: one session
    return redirect("/me/login")


@require_safe
def org_entry(request: HttpRequest, slug: str) -> HttpResponse:
    """An organization's own portal entry (its logo and colours, its credentials first)."""
    org = get_object_or_404(Organization, slug=slug)
    request.session[ORG] = org.slug
    if queries.current_account(request) is None:
        return redirect(f"/me/login?org={org.slug}")
    return redirect("/me/")


@never_cache
@require_safe
def portfolio(request: HttpRequest) -> HttpResponse:
    account, response = _account_or_login(request)
    if response:
        return response
    org = _org(request)
    credentials = list(queries.credentials_for(account, first_org=org))
    elsewhere = 0
    site = getattr(request, "site_org", None)
    if isinstance(site, Organization):  # its own domain vouches for its own only
        elsewhere = len([c for c in credentials if c.organization_id != site.pk])
        credentials = [c for c in credentials if c.organization_id == site.pk]
    total = len(credentials)
    orgs = len({c.organization_id for c in credentials})
    skills = _skills(credentials)
    skill = " ".join(request.GET.get("skill", "").split())[:200]
    if skill:  # the credentials aligned to that skill (by name, ignoring case); an unknown one: none
        credentials = [c for c in credentials if skill.casefold() in _skills([c])]
    items = [
        {
            "credential": c,
            "linkedin": f"/me/c/{c.public_id}/share/linkedin",
            "email_share": f"/me/c/{c.public_id}/share/email",
            "state": _state(c),
        }
        for c in credentials
    ]
    pathways = _pathways(account, org)
    part_of: dict[str, list] = {}
    for p in pathways:
        for comp in p.components:
            if comp.credential_url:
                part_of.setdefault(comp.credential_url, []).append(p)
    for item in items:
        item["pathways"] = part_of.get(item["credential"].uri, [])
    return render(
        request,
        "portal/portfolio.html",
        {
            "account": account,
            "emails": list(account.emails.all()),
            "items": items,
            "pathways": pathways,
            "orgs": orgs,
            "total": total,
            "elsewhere": elsewhere,
            "main_portal": f"{settings.CREDSTACK_BASE_URL}/me/",
            "skills": sorted(skills.values(), key=str.casefold),
            "skill": skill,
            **_brand(org),
        },
    )


def _skills(credentials) -> dict[str, str]:
    """The skills the credentials' achievements align to (decision 0059): their names, by casefold."""
    found: dict[str, str] = {}
    for c in credentials:
        for a in c.achievement.alignments or []:
            if isinstance(a, dict) and str(a.get("name") or "").strip():
                found.setdefault(str(a["name"]).strip().casefold(), str(a["name"]).strip())
    return found


def _pathways(account, org) -> list:
    """Pathway progress ("3 of 5") for the learner's addresses; its own organization's first."""
    found = progress_for_emails(list(account.emails.values_list("normalized", flat=True)))
    if org is not None:
        found.sort(key=lambda p: p.organization != org.slug)
    return found


def _state(c: Credential) -> str:
    if c.replaced_by_id:
        return "replaced"
    if c.state != "active":
        return c.state
    if c.valid_until and c.valid_until <= timezone.now():
        return "expired"
    return "valid"


def _own(request: HttpRequest, public_id: str):
    account = queries.current_account(request)
    if account is None:
        raise Http404
    credential = queries.credentials_for(account).filter(public_id=public_id).first()
    if credential is None:  # someone else's credential: not found, whatever it is
        raise Http404
    return account, credential


def _suggested_slug(names) -> str:
    """A first address to offer: the learner's name in letters a–z (``ada-lovelace``), if it has any."""
    for name in names:
        slug = slugify(name)[: actions.SLUG_MAX].strip("-")
        if len(slug) >= actions.SLUG_MIN and slug not in actions.RESERVED_SLUGS:
            return slug
    return ""


@never_cache
@require_http_methods(["GET", "POST"])
def portfolio_editor(request: HttpRequest) -> HttpResponse:
    """Build the public portfolio: its address, its heading, which credentials it shows; publish, withdraw."""
    account, response = _account_or_login(request)
    if response:
        return response
    portfolio = Portfolio.objects.filter(account=account).first()
    credentials = list(queries.credentials_for(account))
    picked = set(portfolio.credentials.values_list("public_id", flat=True)) if portfolio else set()
    form = {
        "slug": portfolio.slug if portfolio else _suggested_slug(c.recipient_name for c in credentials),
        "title": portfolio.title if portfolio else (credentials[0].recipient_name if credentials else ""),
        "headline": portfolio.headline if portfolio else "",
    }
    errors: dict[str, str] = {}
    if request.method == "POST":
        step = request.POST.get("step", "save")
        try:
            if step == "withdraw":
                actions.withdraw_portfolio(account)
                return redirect("/me/portfolio?withdrawn=1")
            if step in ("save", "save-publish"):
                form = {k: request.POST.get(k, "") for k in form}
                picked = set(request.POST.getlist("credential"))
                actions.save_portfolio(account, **form, credential_ids=request.POST.getlist("credential"))
            if step in ("publish", "save-publish"):
                actions.publish_portfolio(account)
                return redirect("/me/portfolio?published=1")
        except ValidationError as exc:
            errors = {k: " ".join(v) for k, v in exc.message_dict.items()}
        else:
            return redirect("/me/portfolio?saved=1")
    rows = [
        {"credential": c, "state": showcase.credential_state(c), "picked": c.public_id in picked}
        for c in credentials
    ]
    return render(
        request,
        "portal/portfolio_edit.html",
        {
            "account": account,
            "portfolio": portfolio,
            "form": form,
            "errors": errors,
            "rows": rows,
            "share": showcase.share_links(portfolio) if portfolio else None,
            "notice": next((k for k in ("published", "withdrawn", "saved") if request.GET.get(k)), ""),
            "max_slug": actions.SLUG_MAX,
        },
        status=400 if errors else 200,
    )


@require_POST
def visibility(request: HttpRequest, public_id: str) -> HttpResponse:
    account, credential = _own(request, public_id)
    public = request.POST.get("public") == "1"
    credential = actions.set_visibility(account, credential, public)
    if request.headers.get("HX-Request"):
        # the share buttons follow at once (an out-of-band swap): a private credential offers none
        response = render(request, "portal/_visibility.html", {"c": credential})
        share_row = render(request, "portal/_share.html", {"c": credential, "oob": True})
        response.content = response.content + share_row.content
        return response
    return redirect("/me/")


@require_http_methods(["GET", "POST"])
def shared(request: HttpRequest, public_id: str, channel: str) -> HttpResponse:
    account, credential = _own(request, public_id)
    if channel not in actions.SHARE_CHANNELS:
        raise Http404
    actions.record_share(account, credential, channel)
    if channel == "linkedin":
        return HttpResponseRedirect(share.linkedin_url(credential))
    if channel == "email":
        return MailtoRedirect(share.email_url(credential))
    return JsonResponse({"ok": True, "url": credential.uri})


@never_cache
@require_http_methods(["GET", "POST"])
def emails(request: HttpRequest) -> HttpResponse:
    account, response = _account_or_login(request)
    if response:
        return response
    error, stage, pending = "", "add", request.session.get("portal_add_email", "")
    if request.method == "POST":
        step = request.POST.get("step")
        if step == "send":
            email = request.POST.get("email", "").strip()
            try:
                actions.request_code(
                    email, purpose=LoginCode.Purpose.ADD_EMAIL, account=account, ip=_ip(request)
                )
            except ValidationError:
                error = f"“{email}” is not an email address."
            except actions.CodeError as exc:
                error = str(exc)
            else:
                request.session["portal_add_email"] = pending = email
                stage = "verify"
        elif step == "verify" and pending:
            try:
                actions.add_email(account, pending, request.POST.get("code", ""), ip=_ip(request))
            except actions.CodeError as exc:
                error, stage = str(exc), "verify"
            else:
                request.session.pop("portal_add_email", None)
                return redirect("/me/emails")
        elif step == "remove":
            try:
                actions.remove_email(account, int(request.POST.get("id", "0") or 0))
            except (ValidationError, ValueError):
                error = _("Your only address cannot be removed; delete the account instead.")
            else:
                return redirect("/me/emails")
    return render(
        request,
        "portal/emails.html",
        {
            "account": account,
            "emails": list(account.emails.all()),
            "error": error,
            "stage": stage,
            "pending": pending,
            **_brand(_org(request)),
        },
        status=400 if error else 200,
    )


@never_cache
@require_safe
def export_zip(request: HttpRequest) -> HttpResponse:
    account, response = _account_or_login(request)
    if response:
        return response
    data = export.portfolio_zip(account, queries.credentials_for(account))
    response = HttpResponse(data, content_type="application/zip")
    response["Content-Disposition"] = 'attachment; filename="credentials.zip"'
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def delete(request: HttpRequest) -> HttpResponse:
    account, response = _account_or_login(request)
    if response:
        return response
    error = ""
    if request.method == "POST":
        if request.POST.get("confirm", "").strip().upper() != "DELETE":
            error = _("Type DELETE to confirm.")
        else:
            actions.delete_account(account)
            session.end(request)
            return render(request, "portal/deleted.html")
    return render(
        request,
        "portal/delete.html",
        {"account": account, "error": error, "count": queries.credentials_for(account).count()},
        status=400 if error else 200,
    )


@require_safe
def platform_did(request: HttpRequest) -> HttpResponse:
    response = JsonResponse(platform_did_document(), content_type="application/did+json")
    response["Access-Control-Allow-Origin"] = "*"
    return response
