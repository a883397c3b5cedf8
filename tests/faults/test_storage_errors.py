"""A write the storage refuses is recognised along the exception chain and answered with a clear 507;
any other server error stays a 500 (decision 0040). The whole path with real processes and a real
full disk is test_full_disk.py."""

from __future__ import annotations

import errno
import logging
import sqlite3

import pytest
from django.db import OperationalError
from django.http import HttpResponse
from django.urls import path

from credstack.ui.storage import FAILING, FULL, READ_ONLY, storage_failure


def _chained(outer: Exception, inner: Exception) -> Exception:
    try:
        try:
            raise inner
        except Exception as exc:
            raise outer from exc
    except Exception as exc:
        return exc


@pytest.mark.parametrize(
    ("exc", "why"),
    [
        (OSError(errno.ENOSPC, "No space left on device"), FULL),
        (OSError(errno.EFBIG, "File too large"), FULL),
        (OSError(errno.EROFS, "Read-only file system"), READ_ONLY),
        (OperationalError("database or disk is full"), FULL),
        (OperationalError("attempt to write a readonly database"), READ_ONLY),
        (_chained(OperationalError("disk I/O error"), sqlite3.OperationalError("disk I/O error")), FAILING),
        (_chained(RuntimeError("task failed"), OSError(errno.ENOSPC, "full")), FULL),
        (OperationalError('could not extend file "base/1/2": No space left on device'), FULL),
        (OSError(errno.ENOENT, "No such file"), None),
        (OperationalError("database is locked"), None),
        (ValueError("bad input"), None),
    ],
)
def test_storage_failures_are_told_apart_from_other_errors(exc, why):
    assert storage_failure(exc) == why


def _full(request):
    raise OperationalError("database or disk is full")


def _broken(request):
    raise ZeroDivisionError("a bug")


def _fine(request):
    return HttpResponse("ok")


urlpatterns = [
    path("api/v1/full", _full),
    path("page/full", _full),
    path("page/broken", _broken),
    path("ok", _fine),
]
handler500 = "credstack.web.errors.server_error"


@pytest.mark.urls("tests.faults.test_storage_errors")
def test_a_full_disk_is_a_clear_507_logged_with_its_traceback(client, caplog):
    client.raise_request_exception = False
    with caplog.at_level(logging.ERROR):
        api = client.post("/api/v1/full")
        page = client.get("/page/full")
        bug = client.get("/page/broken")
    assert api.status_code == 507 and api["Content-Type"] == "application/problem+json"
    assert api.json()["title"] == "Insufficient storage" and api["Retry-After"]
    assert "the server's disk is full" in api.json()["detail"] and "Idempotency-Key" in api.json()["detail"]
    assert page.status_code == 507 and b"the server&#x27;s disk is full" in page.content
    assert bug.status_code == 500 and b"disk" not in bug.content
    # every one logged with its traceback (storage failures by the middleware that answers them)
    traced = [r for r in caplog.records if r.exc_info is not None]
    assert [r.name for r in traced] == ["credstack.web.readonly", "credstack.web.readonly", "django.request"]


def test_the_storage_refusal_speaks_the_readers_language(rf):
    """Issue 17: the 507 page names what happened in the reader's language (German here), the reason too."""
    from django.utils import translation  # the reader's language for this one answer

    from credstack.web.readonly import unavailable  # the answer the middleware gives

    with translation.override("de"):
        page = unavailable(rf.get("/w/acme/issue"), FULL).content.decode()
    assert "Nicht genug Speicherplatz" in page
    assert "Dieses credstack kann im Moment nichts speichern: die Festplatte des Servers ist voll." in page
    assert "cannot save" not in page
