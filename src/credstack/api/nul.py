"""Refuse NUL characters (U+0000) anywhere in an API request, naming where, and in any page's address.

No legitimate value contains one, PostgreSQL cannot store one in a text column (it raises instead, which
would be a 500), and each operation would otherwise have to remember the check. Django's forms refuse NUL
already (``ProhibitNullCharactersValidator``); the JSON API's schemas do not. This runs before the view: a
request with a NUL gets a 422 problem naming the field and changes nothing (the OB 3.0 API: a 400
``Imsx_StatusInfo``, the only error its OpenAPI document allows).
"""

from __future__ import annotations

import json

from django.conf import settings
from django.http import HttpResponseBadRequest
from django.utils.translation import gettext as _

from credstack.ui import imsx
from credstack.ui.problems import problem_response

PREFIXES = ("/api/", "/ims/")
NUL = "\x00"


def _find(value, path: tuple) -> str | None:
    if isinstance(value, str):
        return ".".join(str(p) for p in path) or "(body)" if NUL in value else None
    if isinstance(value, dict):
        for key, item in value.items():
            if NUL in str(key):
                return ".".join(str(p) for p in (*path, key.replace(NUL, "\\u0000"))) or "(body)"
            found = _find(item, (*path, key))
            if found:
                return found
    elif isinstance(value, list):
        for n, item in enumerate(value):
            found = _find(item, (*path, n))
            if found:
                return found
    return None


def where_nul(request) -> str | None:
    """The field holding a NUL character, or None."""
    if NUL in request.path_info:
        return "(path)"
    for key, values in request.GET.lists():
        if NUL in key or any(NUL in v for v in values):
            return key.replace(NUL, "\\u0000")
    if request.method in ("POST", "PUT", "PATCH") and request.content_type == "application/json":
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
            return None  # the API answers 413 itself
        body = request.body
        if b"\\u0000" in body or b"\x00" in body:
            try:
                return _find(json.loads(body), ()) or "(body)"
            except ValueError:
                return "(body)"
    return None


class RefuseNulMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not request.path.startswith(PREFIXES):
            # pages: a NUL in the path is no page's id, and PostgreSQL refuses to even look one up (a query
            # string is the page's to read: a search for it finds nothing)
            if NUL in request.path_info:
                return HttpResponseBadRequest(
                    _("The address contains a NUL character (U+0000), which is not accepted."),
                    content_type="text/plain; charset=utf-8",
                )
            return self.get_response(request)
        field = where_nul(request)
        if field:
            message = "contains a NUL character (U+0000), which is not accepted"
            if request.path.startswith(imsx.PREFIX):  # the OB 3.0 API answers as its OpenAPI document says
                return imsx.imsx_error(400, f"{field}: {message}")
            return problem_response(
                422,
                "The request is not valid",
                f"{field}: {message}",
                slug="validation-error",
                errors=[{"field": field, "message": message}],
            )
        return self.get_response(request)
