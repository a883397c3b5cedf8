"""A read-only or full home: reads go on, a write gets a clear 507 (disk full) or 503 (read-only), and the log has why.

With ``$CREDSTACK_HOME`` (the SQLite database, the files, the file cache) on a read-only mount, not
writable by the server's user, or full, every page that only reads keeps answering: credential pages,
their JSON, DID documents and status lists (and the verifier), so issued credentials still verify online.
Writes that are not essential to such a page (view counts, the page cache, a rate-limit counter) are
skipped where they happen and logged once. A request whose work needs a write (issuing, signing in, a
setting) fails at the write; this middleware then answers ``507 Insufficient Storage`` (a full or failing disk) or ``503 Service Unavailable`` (read-only) with a page (or an
RFC 9457 problem for JSON clients) that says what happened, instead of a bare 500, and the error is logged
with its traceback (``django.request`` for failures below this middleware, ``credstack.web.readonly`` for
those of a view).
"""

from __future__ import annotations

import logging
import sys

from django.conf import settings
from django.core.signals import got_request_exception
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext

from credstack.ui.problems import problem_response
from credstack.ui.storage import S3_FAILURES, UNAVAILABLE, storage_failure

log = logging.getLogger(__name__)

MARK = "credstack_storage_failure"
RETRY_AFTER = "300"


def unavailable(request: HttpRequest, why: str | None = None) -> HttpResponse:
    """The answer to a write the storage refused: 503 Service Unavailable for a read-only home, 507
    Insufficient Storage when the disk is full or fails, both with ``Retry-After``; what happened, in
    words."""
    read_only = getattr(settings, "CREDSTACK_READ_ONLY", False) or why in UNAVAILABLE
    status = 503 if read_only else 507
    title = gettext("Read-only for now") if read_only else gettext("Insufficient storage")
    if why in S3_FAILURES:  # object storage (decision 0048): its own title
        title = gettext("File storage unavailable")
    # the reasons are marked for the catalogues in credstack.ui.storage and translated here
    why = gettext(why) if why else gettext("its storage is read-only or full")
    detail = gettext(
        "This credstack cannot save anything at the moment: %(why)s. Issued credentials can still be viewed "
        "and verified; issuing, signing in and changes have to wait until the operator has fixed the "
        "storage. Nothing was changed by this request, and nothing is done twice if you retry (API clients: "
        "with the same Idempotency-Key)."
    ) % {"why": why}
    headers = {"Retry-After": RETRY_AFTER, "Cache-Control": "no-store"}
    wants_json = "json" in request.headers.get("Accept", "") or request.path.startswith(
        ("/api/", "/ims/", "/hooks/", "/verify/api", "/lti/")
    )
    slug = "storage" if status == 507 else "storage-unavailable"
    if wants_json:
        return problem_response(status, title, detail, slug=slug, headers=headers)
    body = render_to_string("web/unavailable.html", {"title": title, "detail": detail}, request=request)
    response = HttpResponse(body, status=status)
    for name, value in headers.items():
        response[name] = value
    return response


def _mark(sender, request=None, **kwargs) -> None:
    """``got_request_exception`` is sent while the exception is being handled: note a storage failure on
    the request, so that the 500 Django makes of it becomes the 503 page."""
    why = storage_failure(sys.exc_info()[1]) if request is not None else None
    if why:
        setattr(request, MARK, why)


got_request_exception.connect(_mark, dispatch_uid="credstack-storage-failure")


class StorageFailureMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        why = getattr(request, MARK, None)
        if response.status_code == 500 and why:
            return unavailable(request, why)  # django.request has logged it, with its traceback
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        why = storage_failure(exception)
        if not why:
            return None  # Django's own handling: a 500, logged with its traceback by django.request
        log.error("cannot write: %s %s answered: %s", request.method, request.path, why, exc_info=exception)
        return unavailable(request, why)
