"""Public reads from a cache, with validators, invalidated when what they show changes.

The credential page ``/c/<id>`` (HTML and JSON), ``/c/<id>.json``, the status lists and the DID documents
are built once per *generation* and then answered from Django's cache (the file cache of
``$CREDSTACK_HOME/cache`` by default, shared by every process of the machine; Redis with ``REDIS_URL``).

Generations. Each credential, status list and organization has a generation token in the cache
(``pc:g:<scope>:<id>``). A cached answer is stored under the token that was current *before* the database
was read, and found only while that token is current. A change replaces the token at once and again once
it has committed (``transaction.on_commit``), so an answer built from the old rows while the change was
committing is stored under a token nobody looks up again: no stale page survives a change. A missing token
(first view, or evicted) is created once the object was found, and that answer is not stored (its token was
not read before the rows); a new random token also orphans whatever was stored under a lost one. An id that
does not exist writes nothing.

Who gets a cached answer. Only a request without a session cookie (a stranger: neither a member of the
issuing organization nor the signed-in holder, both of whom need a session) is answered from, or stored
into, the cache; everything a stranger is shown is the same for every stranger. A signed-in viewer's page is
built for them and marked ``Cache-Control: private``. A private credential's pages are never ``public``.

Time. An answer also stops at the next moment its verdict changes by itself (the credential's expiry or
start), and after ``CREDSTACK_PAGE_CACHE_SECONDS`` at the latest (default 600).

A read-only or full home (the file cache cannot be written) only means nothing is stored: every answer is
then built from the database, and the failure is logged once (``credstack.credentials.pagecache``).
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.core.cache import caches
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response
from django.utils.http import http_date

log = logging.getLogger(__name__)

# stands for the request's CSP nonce in a stored page; replaced by each request's own nonce when served
NONCE_PLACEHOLDER = "csp-nonce-placeholder-d41d8cd98f00b204"
LOCAL_ENTRIES = 512  # per process: the last pages served, so a hit does not unpickle the body again
HEADERS_NOT_STORED = {"content-security-policy", "set-cookie", "content-length", "date"}


def _cache():
    return caches[getattr(settings, "CREDSTACK_PAGE_CACHE", "default")]


def ttl() -> float:
    return float(getattr(settings, "CREDSTACK_PAGE_CACHE_SECONDS", 600))


class _Failures:
    """Log a cache write failure once (until a write succeeds again), not on every request."""

    def __init__(self) -> None:
        self.failing = False

    def failed(self, what: str) -> None:
        if not self.failing:
            self.failing = True
            log.warning("page cache: could not %s; answering from the database", what, exc_info=True)

    def ok(self) -> None:
        self.failing = False


_failures = _Failures()


def _gen_key(scope: str, ident: object) -> str:
    return f"pc:g:{scope}:{ident}"


def generation(scope: str, ident: object, *, create: bool = True) -> str | None:
    """The current generation token of ``scope``/``ident``; a missing one is created unless ``create`` is
    False. None when there is none (or the cache cannot hold one: a read-only or full home)."""
    cache = _cache()
    key = _gen_key(scope, ident)
    try:
        token = cache.get(key)
    except Exception:  # a broken cache backend is not a reason to fail a read
        _failures.failed("read a generation")
        return None
    if token is not None or not create:
        return token
    try:
        cache.add(key, secrets.token_hex(8), timeout=None)
        _failures.ok()
        return cache.get(key)
    except Exception:
        _failures.failed("store a generation")
        return None


def _bump_now(keys: list[str]) -> None:
    cache = _cache()
    try:
        cache.set_many({key: secrets.token_hex(8) for key in keys}, timeout=None)
    except Exception:
        # cannot store the new token: delete the old one so that nothing stored under it is found again
        try:
            cache.delete_many(keys)
        except Exception:
            log.error("page cache: could not invalidate %s", keys, exc_info=True)


def changed(scope: str, idents: Iterable[object]) -> None:
    """Invalidate every cached answer of these objects: at once, and again when the current transaction
    commits (an answer built from the old rows while the change was committing was stored under the
    token of the first invalidation and is orphaned by the second)."""
    keys = [_gen_key(scope, ident) for ident in idents]
    if keys:
        _bump_now(keys)
        if transaction.get_connection().in_atomic_block:
            transaction.on_commit(lambda: _bump_now(keys))


def credentials_changed(public_ids: Iterable[str]) -> None:
    changed("credential", public_ids)


def organization_changed(org_id: int | None) -> None:
    changed("org", [org_id if org_id is not None else "platform"])


def status_list_changed(public_id: str) -> None:
    changed("status", [public_id])


def stranger(request: HttpRequest) -> bool:
    """No session: the request cannot be a member's or the holder's, and sees what every stranger sees."""
    return settings.SESSION_COOKIE_NAME not in request.COOKIES


@dataclass
class Entry:
    body: bytes
    status: int
    headers: list[tuple[str, str]]
    etag: str
    last_modified: float | None
    expires: float  # time.time() after which it is not served
    object_id: int | None = None
    org_id: int | None = None
    org_gen: str | None = None
    extra: dict = field(default_factory=dict)


_local: OrderedDict[str, Entry] = OrderedDict()
_local_lock = threading.Lock()


def _remember(key: str, entry: Entry) -> None:
    with _local_lock:
        _local[key] = entry
        _local.move_to_end(key)
        while len(_local) > LOCAL_ENTRIES:
            _local.popitem(last=False)


def etag_of(*parts: object) -> str:
    digest = hashlib.blake2b("\x1f".join(str(p) for p in parts).encode(), digest_size=12).hexdigest()
    return f'"{digest}"'


class Slot:
    """One cached answer: a ``variant`` (html, json...) of the object ``scope``/``ident``. Create it
    *before* reading the database (it reads the generation then)."""

    def __init__(self, scope: str, ident: object, variant: str) -> None:
        # Not created here: a request for an id that does not exist must not write to the cache. A token
        # that was missing is created by ``put`` and nothing is stored that time (it was not read before
        # the rows were), so the next request stores the answer.
        self.scope, self.ident = scope, ident
        self.gen = generation(scope, ident, create=False)
        self.key = f"pc:e:{scope}:{ident}:{variant}:{self.gen}"

    def get(self) -> Entry | None:
        if self.gen is None:
            return None
        entry = _local.get(self.key)
        if entry is None:
            try:
                entry = _cache().get(self.key)
            except Exception:
                return None
            if entry is None:
                return None
            _remember(self.key, entry)
        if entry.expires <= time.time():
            return None
        if entry.org_gen is not None:
            if generation("org", entry.org_id if entry.org_id is not None else "platform") != entry.org_gen:
                return None
        return entry

    def put(
        self,
        response: HttpResponse,
        *,
        etag: str | None = None,
        last_modified: datetime | None = None,
        until: datetime | None = None,
        object_id: int | None = None,
        org_id: int | None = None,
        with_org: bool = True,
    ) -> Entry:
        """Store ``response`` (a 200 that sets no cookie) and return its entry (also when it could not be
        stored). ``org_id``: the answer also shows the organization (its name, logo, keys), so an
        organization change invalidates it too (``with_org=False``: only the object's own changes)."""
        org_gen = generation("org", org_id if org_id is not None else "platform") if with_org else None
        entry = entry_for(response, etag=etag, last_modified=last_modified, until=until)
        entry.object_id, entry.org_id, entry.org_gen = object_id, org_id if with_org else None, org_gen
        if self.gen is None:
            generation(self.scope, self.ident)  # for the next request: see __init__
            return entry
        if with_org and org_gen is None:
            return entry
        if response.cookies or response.status_code != 200:
            return entry
        try:
            _cache().set(self.key, entry, timeout=max(1, int(entry.expires - time.time()) + 1))
            _failures.ok()
        except Exception:
            _failures.failed("store a page")
            return entry
        _remember(self.key, entry)
        return entry


def entry_for(
    response: HttpResponse,
    *,
    etag: str | None = None,
    last_modified: datetime | None = None,
    until: datetime | None = None,
) -> Entry:
    """The answer as it would be stored (and served, with validators, by :func:`serve`)."""
    body = response.content
    entry = Entry(
        body=body,
        status=response.status_code,
        headers=[(k, v) for k, v in response.items() if k.lower() not in HEADERS_NOT_STORED],
        etag=etag or etag_of(hashlib.blake2b(body, digest_size=16).hexdigest()),
        last_modified=last_modified.timestamp() if last_modified else None,
        expires=time.time() + ttl(),
    )
    if until is not None:
        entry.expires = min(entry.expires, until.timestamp())
    return entry


def validators(response: HttpResponse, etag: str, last_modified: float | None = None) -> HttpResponse:
    response["ETag"] = etag
    if last_modified is not None:
        response["Last-Modified"] = http_date(int(last_modified) + 1)  # never earlier than the change
    return response


def conditional(request: HttpRequest, etag: str, last_modified: float | None, headers) -> HttpResponse | None:
    """A 304 (carrying ``headers``: Cache-Control, Vary...) when the client's copy is current, else None."""
    if "HTTP_IF_NONE_MATCH" not in request.META and "HTTP_IF_MODIFIED_SINCE" not in request.META:
        return None
    lm = int(last_modified) + 1 if last_modified is not None else None
    probe = HttpResponse()
    for name, value in headers:
        if name.lower() in ("cache-control", "vary", "expires", "content-location"):
            probe[name] = value
    validators(probe, etag, last_modified)
    answer = get_conditional_response(request, etag=etag, last_modified=lm, response=probe)
    if answer is not None and answer.status_code == 304:
        for name in ("Cache-Control", "Vary", "Access-Control-Allow-Origin"):
            value = dict(headers).get(name)
            if value is not None:
                answer[name] = value
        return answer
    return None


def serve(request: HttpRequest, entry: Entry) -> HttpResponse:
    """The stored answer, or a 304 when the client holds it already."""
    not_modified = conditional(request, entry.etag, entry.last_modified, entry.headers)
    if not_modified is not None:
        return not_modified
    body = entry.body
    nonce = getattr(request, "csp_nonce", None)
    if nonce and NONCE_PLACEHOLDER.encode() in body:
        body = body.replace(NONCE_PLACEHOLDER.encode(), nonce.encode())
    response = HttpResponse(body, status=entry.status)
    for name, value in entry.headers:
        response[name] = value
    return validators(response, entry.etag, entry.last_modified)


class placeholder_nonce:
    """``with placeholder_nonce(request):`` renders a page to be stored with a stand-in CSP nonce."""

    def __init__(self, request: HttpRequest) -> None:
        self.request = request

    def __enter__(self) -> None:
        self.saved = getattr(self.request, "csp_nonce", None)
        self.request.csp_nonce = NONCE_PLACEHOLDER  # type: ignore[attr-defined]

    def __exit__(self, *exc) -> None:
        self.request.csp_nonce = self.saved  # type: ignore[attr-defined]


def clear_local() -> None:
    """Forget this process's copies (tests)."""
    with _local_lock:
        _local.clear()


def get(key: str):
    """A value from the page cache, or None (also when the cache cannot be read)."""
    try:
        return _cache().get(key)
    except Exception:
        _failures.failed("read")
        return None


def put(key: str, value: object, timeout: float) -> None:
    """Store a value in the page cache; a read-only or full home stores nothing (logged once)."""
    try:
        _cache().set(key, value, timeout=max(1, int(timeout)))
        _failures.ok()
    except Exception:
        _failures.failed("store a value")
