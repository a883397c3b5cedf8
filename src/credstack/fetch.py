"""Fetching documents a verifier needs (DID documents, status lists) over HTTP, with limits.

Pure Python: used by ``credstack verify`` without a database. Only http(s); at most
``MAX_BYTES`` read; ``TIMEOUT`` seconds per request.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request

from credstack.vc import did as vc_did

MAX_BYTES = 2 * 1024 * 1024
TIMEOUT = 10
ACCEPT = "application/vc+ld+json, application/did+json, application/ld+json;q=0.9, application/json;q=0.8"


class FetchError(Exception):
    """A document could not be fetched or is not JSON."""


def fetch_bytes(url: str, accept: str = ACCEPT, max_bytes: int = MAX_BYTES) -> bytes:
    if not url.startswith(("https://", "http://")):
        raise FetchError(f"only http(s) URLs can be fetched, not {url!r}")
    # the scheme is checked above: no file: or custom schemes reach urllib
    request = urllib.request.Request(url, headers={"Accept": accept, "User-Agent": "credstack-verifier"})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310
            body = response.read(max_bytes + 1)
    except urllib.error.HTTPError as exc:
        raise FetchError(f"{url}: HTTP {exc.code}") from exc
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise FetchError(f"{url}: {getattr(exc, 'reason', exc)}") from exc
    if len(body) > max_bytes:
        raise FetchError(f"{url}: larger than {max_bytes} bytes")
    return body


def http_fetch(url: str) -> dict:
    """Fetch a JSON document by URL or did:web (resolved to its did.json)."""
    if url.startswith("did:web:"):
        url = vc_did.did_web_url(url.split("#", 1)[0])
    try:
        return json.loads(fetch_bytes(url))
    except (ValueError, UnicodeDecodeError) as exc:
        raise FetchError(f"{url}: not JSON ({exc})") from exc
