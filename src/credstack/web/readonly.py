"""A read-only or full home: reads go on, a write is answered with a clear 503, and the log has the why.

With ``$CREDSTACK_HOME`` (the SQLite database, the files, the file cache) on a read-only mount, not
writable by the server's user, or full, every page that only reads keeps answering: credential pages,
their JSON, DID documents and status lists (and the verifier), so issued credentials still verify online.
Writes that are not essential to such a page (view counts, the page cache, a rate-limit counter) are
skipped where they happen and logged once. A request whose work needs a write (issuing, signing in, a
setting) fails at the write; this middleware then answers ``503 Service Unavailable`` with a page (or an
RFC 9457 problem for JSON clients) that says what happened, instead of a bare 500, and the error is logged
with its traceback (``django.request`` for failures below this middleware, ``credstack.web.readonly`` for
those of a view).
"""

from __future__ import annotations

import errno
import logging
import sys

from django.conf import settings
from django.core.signals import got_request_exception
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

from credstack.ui.problems import problem_response

log = logging.getLogger(__name__)

STORAGE_ERRNOS = {errno.EROFS, errno.ENOSPC, errno.EDQUOT, errno.EACCES, errno.EPERM}
# what SQLite and PostgreSQL say when they cannot write
DATABASE_SAYS = (
    "readonly database",
    "read-only",
    "disk is full",
    "disk i/o error",
    "no space left",
    "could not extend file",
    "could not write",
    "unable to open database file",
)
MARK = "credstack_storage_failure"
RETRY_AFTER = "300"


def storage_failure(exc: BaseException | None) -> bool:
    """Is ``exc`` (or what caused it) the home refusing a write: read-only, full, or not ours to write?"""
    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, OSError) and exc.errno in STORAGE_ERRNOS:
            return True
        if isinstance(exc, DatabaseError) and any(words in str(exc).lower() for words in DATABASE_SAYS):
            return True
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return False


def unavailable(request: HttpRequest) -> HttpResponse:
    read_only = getattr(settings, "CREDSTACK_READ_ONLY", False)
    title = "Read-only for now" if read_only else "Cannot save right now"
    detail = (
        "This credstack cannot save anything at the moment: its storage is read-only or full. Issued "
        "credentials can still be viewed and verified; issuing, signing in and changes have to wait until "
        "the operator has fixed the storage. Nothing was changed by this request."
    )
    headers = {"Retry-After": RETRY_AFTER, "Cache-Control": "no-store"}
    wants_json = "json" in request.headers.get("Accept", "") or request.path.startswith(("/api/", "/ims/"))
    if wants_json:
        return problem_response(503, title, detail, slug="storage-unavailable", headers=headers)
    body = render_to_string("web/unavailable.html", {"title": title, "detail": detail}, request=request)
    response = HttpResponse(body, status=503)
    for name, value in headers.items():
        response[name] = value
    return response


def _mark(sender, request=None, **kwargs) -> None:
    """``got_request_exception`` is sent while the exception is being handled: note a storage failure on
    the request, so that the 500 Django makes of it becomes the 503 page."""
    if request is not None and storage_failure(sys.exc_info()[1]):
        setattr(request, MARK, True)


got_request_exception.connect(_mark, dispatch_uid="credstack-storage-failure")


class StorageFailureMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code == 500 and getattr(request, MARK, False):
            return unavailable(request)  # django.request has logged it, with its traceback
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not storage_failure(exception):
            return None  # Django's own handling: a 500, logged with its traceback by django.request
        log.error("cannot write: %s %s answered 503", request.method, request.path, exc_info=exception)
        return unavailable(request)
