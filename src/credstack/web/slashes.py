"""One trailing-slash rule for every route: an address is canonical as its route is written, and the other
form (slash added or removed) redirects to it.

Django's ``CommonMiddleware`` (``APPEND_SLASH``) already sends ``/me`` to ``/me/`` when ``/me`` matches no
route; this middleware does the rest, on any 404:

- ``/verify/`` goes to ``/verify``, ``/learn/acme/intro/`` to ``/learn/acme/intro`` (the form without the
  slash is a route, the form with it is none);
- ``/w/acme/courses/new/`` goes to ``/w/acme/courses/new`` although the slash form also matches a route
  (``courses/<public_id>/``, which answered 404 for a course called "new"): the other form is a more literal
  route (fewer parameters), so that is the page meant. Never the other way round: a 404 of
  ``/w/acme/courses/new`` (not a member) stays a 404.

A page that answers 404 itself, with no other form to go to (an unknown credential), keeps its 404. GET and
HEAD get a 301; other methods a 308, which keeps the method and the body.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.urls import is_valid_path
from django.utils.http import escape_leading_slashes


class PermanentRedirectKeepMethod(HttpResponsePermanentRedirect):
    status_code = 308


class TrailingSlashMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code != 404:
            return response
        target = canonical_address(request)
        if target is None:
            return response
        if request.method in ("GET", "HEAD"):
            return HttpResponsePermanentRedirect(target)
        return PermanentRedirectKeepMethod(target)


def canonical_address(request: HttpRequest) -> str | None:
    """The address with the slash toggled, when that form is a route other than the one this one matched
    (or this one matched none); else None."""
    path_info = request.path_info
    if path_info == "/":
        return None
    if path_info.endswith("/"):
        other, path = path_info.rstrip("/"), request.path.rstrip("/")
    else:
        other, path = path_info + "/", request.path + "/"
    if not other:
        return None
    urlconf = getattr(request, "urlconf", None)
    theirs = is_valid_path(other, urlconf)
    if not theirs:
        return None
    ours = is_valid_path(path_info, urlconf)
    # both forms are routes: go only to a more literal one (courses/new over courses/<public_id>/, never
    # the other way round: a refused /courses/new stays refused)
    if ours and len(theirs.kwargs) >= len(ours.kwargs):
        return None
    query = request.META.get("QUERY_STRING", "")
    path = escape_leading_slashes(path)
    return f"{path}?{query}" if query else path
