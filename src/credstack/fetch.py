"""Fetching documents a verifier needs (DID documents, status lists) over HTTP, with limits.

Pure Python: used by ``credstack verify`` without a database. Goes through the one outbound HTTP client
(``credstack.httpclient``): only http(s), at most ``MAX_BYTES`` read, ``TIMEOUT`` seconds per request,
up to ``REDIRECTS`` redirects, each target checked. The web verifier calls only public addresses; the
command line, run by the person who owns the machine, may also reach a local or private issuer.
"""

from __future__ import annotations

import json

from credstack import httpclient
from credstack.vc import did as vc_did

MAX_BYTES = 2 * 1024 * 1024
TIMEOUT = 10
REDIRECTS = 3
ACCEPT = "application/vc+ld+json, application/did+json, application/ld+json;q=0.9, application/json;q=0.8"


class FetchError(Exception):
    """A document could not be fetched or is not JSON."""


def fetch_bytes(
    url: str,
    accept: str = ACCEPT,
    max_bytes: int = MAX_BYTES,
    *,
    public_only: bool = False,
    resolver: httpclient.Resolver | None = None,
) -> bytes:
    try:
        response = httpclient.request(
            "GET",
            url,
            headers={"Accept": accept},
            policy=httpclient.public_only if public_only else httpclient.any_address,
            resolver=resolver,
            max_redirects=REDIRECTS,
            timeout=TIMEOUT,
            max_bytes=max_bytes,
            user_agent="credstack-verifier",
        )
    except (httpclient.BlockedTarget, httpclient.HTTPClientError) as exc:
        raise FetchError(str(exc) if str(exc).startswith(url) else f"{url}: {exc}") from exc
    if response.status != 200:
        raise FetchError(f"{url}: HTTP {response.status}")
    return response.body


def http_fetch(url: str, *, public_only: bool = False, resolver: httpclient.Resolver | None = None) -> dict:
    """Fetch a JSON document by URL or did:web (resolved to its did.json)."""
    if url.startswith("did:web:"):
        url = vc_did.did_web_url(url.split("#", 1)[0])
    try:
        return json.loads(fetch_bytes(url, public_only=public_only, resolver=resolver))
    except RecursionError:
        raise FetchError(f"{url}: the JSON is nested too deeply") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise FetchError(f"{url}: not JSON ({exc})") from exc
