"""Answer a stranger's request for a credential page from the page cache before the rest of the stack.

Placed after the security, CSP, clickjacking and static-file middleware and before the session,
authentication, messages and account middleware: a stranger (no session cookie) gets exactly what the view
would answer from the cache (``credstack.credentials.views.cached_page``), with the same security headers,
without loading a session or a user that it does not have. Anything else (a signed-in viewer, a page not
in the cache, any other URL) goes down the stack as usual. It only reads: a page gets into the cache
through the view. Measured in ``benchmarks/serve.py``.
"""

from __future__ import annotations

import re

from django.http import HttpRequest, HttpResponse

from credstack.credentials.views import cached_page

PAGE = re.compile(r"^/c/([A-Za-z0-9_-]{1,32})$")


class PageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method == "GET" and (match := PAGE.match(request.path_info)):
            response = cached_page(request, match.group(1))
            if response is not None:
                return response
        return self.get_response(request)
