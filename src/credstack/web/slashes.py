"""One trailing-slash rule for every route: an address is canonical as its route is written, and the other
form redirects to it.

Django's ``CommonMiddleware`` (``APPEND_SLASH``) already sends ``/me`` to ``/me/``; this middleware is the
other half: ``/verify/`` goes to ``/verify``, ``/learn/acme/intro/`` to ``/learn/acme/intro``. Only an
address that matches no route is redirected, and only when its form without the slash does: a page that
answers 404 itself (an unknown credential) keeps its 404. GET and HEAD get a 301; other methods a 308,
which keeps the method and the body.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.urls import is_valid_path
from django.utils.http import escape_leading_slashes


class PermanentRedirectKeepMethod(HttpResponsePermanentRedirect):
    status_code = 308


class RemoveSlashMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code != 404:
            return response
        target = canonical_without_slash(request)
        if target is None:
            return response
        if request.method in ("GET", "HEAD"):
            return HttpResponsePermanentRedirect(target)
        return PermanentRedirectKeepMethod(target)


def canonical_without_slash(request: HttpRequest) -> str | None:
    """The address without its trailing slash(es) when only that form is a route, else None."""
    path_info = request.path_info
    if not path_info.endswith("/") or path_info == "/":
        return None
    urlconf = getattr(request, "urlconf", None)
    stripped = path_info.rstrip("/")
    if not stripped or is_valid_path(path_info, urlconf) or not is_valid_path(stripped, urlconf):
        return None
    path = escape_leading_slashes(request.path.rstrip("/"))
    query = request.META.get("QUERY_STRING", "")
    return f"{path}?{query}" if query else path
