"""The error pages (400, 403, 404, 500): in the site's look, saying what happened and where to go next.

A 404 under a credential's address explains that no credential with that id was issued here and offers
the verifier; one under a course of an organization carries that organization's brand. The 500 page uses
no database and no context processor: it must render when they are what failed.
"""

from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponse, HttpResponseServerError
from django.template import loader
from django.utils.translation import gettext_lazy as _

from credstack.organizations.models import Organization
from credstack.organizations.rules import NotAllowed

log = logging.getLogger(__name__)

CREDENTIAL_ROUTES = ("credential", "credential-pdf", "credential-png", "credential-svg", "credential-json")
# routes whose 404 keeps the organization's look: a learner followed a link of that organization
BRANDED_NAMESPACES = ("learning",)
BRANDED_ROUTES = ("portal-org",)

PAGES = {
    400: (
        _("Bad request"),
        _("This request could not be understood. Check the address, or go back and try again."),
    ),
    403: (
        _("Not allowed"),
        _("You do not have access to this page. Sign in with another account, or ask its owner."),
    ),
    404: (
        _("Page not found"),
        _("There is nothing at this address. Check the link, or start again from the home page."),
    ),
}


def _route(request: HttpRequest):
    match = getattr(request, "resolver_match", None)
    return (match.url_name or "", match.namespace or "", match.kwargs) if match else ("", "", {})


def _brand_org(request: HttpRequest) -> Organization | None:
    name, namespace, kwargs = _route(request)
    if namespace not in BRANDED_NAMESPACES and name not in BRANDED_ROUTES:
        return None
    slug = kwargs.get("org_slug") or kwargs.get("slug")
    return Organization.objects.filter(slug=slug).first() if isinstance(slug, str) else None


def _page(request: HttpRequest, status: int, context: dict | None = None) -> HttpResponse:
    title, message = PAGES[status]
    body = loader.render_to_string(
        "web/error.html",
        {"status": status, "title": title, "message": message, **(context or {})},
        request,
    )
    return HttpResponse(body, status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _page(request, 400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """The 403 page; a refusal of credstack's own (``NotAllowed``, already in the user's language) says why."""
    if isinstance(exception, NotAllowed) and exception.message:
        return _page(request, 403, {"message": exception.message})
    return _page(request, 403)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form sent without its security token (the page sat open too long, or cookies are off)."""
    return _page(
        request,
        403,
        {
            "title": _("This form has expired"),
            "message": _(
                "Go back, reload the page and send the form again. If it keeps happening, allow cookies for "
                "this site."
            ),
        },
    )


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    name, _namespace, kwargs = _route(request)
    if name in CREDENTIAL_ROUTES:
        public_id = str(kwargs.get("public_id", ""))
        return _page(
            request,
            404,
            {
                "title": _("No such credential"),
                "unknown_credential": public_id,
            },
        )
    if name == "achievement":
        return _page(
            request,
            404,
            {
                "title": _("No such achievement"),
                "message": _("No achievement with this id is published here. Check the link you were given."),
            },
        )
    org = _brand_org(request)
    if org is not None:
        return _page(
            request,
            404,
            {
                "brand_org": org,
                "message": _(
                    "%(org)s has nothing at this address: the course may have moved or not be open yet. Check "
                    "the link, or ask the course team."
                )
                % {"org": org.name},
            },
        )
    return _page(request, 404)


def server_error(request: HttpRequest) -> HttpResponse:
    try:
        body = loader.get_template("web/error_500.html").render({})
    except Exception:  # the template system itself failed: plain text still says what happened
        log.exception("the 500 page could not be rendered")
        body = "Something went wrong on our side (500). Please try again in a moment."
        return HttpResponseServerError(body, content_type="text/plain; charset=utf-8")
    return HttpResponseServerError(body)
