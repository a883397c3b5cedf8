"""The JSON-LD contexts credstack knows, bundled, and an offline document loader for pyld.

Nothing is ever fetched from the network: a context URL that is not bundled here (``_manifest.json``
lists each one with the source it was copied from) is refused with
:class:`~credstack.vc.errors.ContextNotAllowedError`. :func:`register` adds a context at run time (tests
use it for the W3C examples context).

The loader marks every document ``tag: 'static'``, which is what makes pyld cache the processed context
instead of re-processing it for every document; the cache is our own (:func:`resolver`), so no other pyld
user in the process can put a context into it. :data:`PROCESSED` is where :mod:`credstack.vc.canon`
keeps the active contexts it derives from them (type-scoped contexts, which pyld re-processes for every
node otherwise). Both are emptied when :func:`register` changes what a URL means.
"""

from __future__ import annotations

import copy
import json
from collections import OrderedDict
from collections.abc import Iterator
from functools import cache
from importlib import resources
from typing import Any

from pyld.context_resolver import ContextResolver

from credstack.vc.errors import ContextNotAllowedError

VC_V1 = "https://www.w3.org/2018/credentials/v1"
VC_V2 = "https://www.w3.org/ns/credentials/v2"
OB_V3 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
DATA_INTEGRITY_V2 = "https://w3id.org/security/data-integrity/v2"
MULTIKEY_V1 = "https://w3id.org/security/multikey/v1"
DID_V1 = "https://www.w3.org/ns/did/v1"

_RESOLVED_CACHE_SIZE = 256
_PROCESSED_CACHE_SIZE = 256
_registered: dict[str, tuple[dict[str, Any], str]] = {}


@cache
def _manifest() -> dict[str, dict[str, str]]:
    manifest: dict[str, dict[str, str]] = json.loads(
        resources.files(__name__).joinpath("_manifest.json").read_text("utf-8")
    )
    return manifest


@cache
def _bundled(url: str) -> dict[str, Any]:
    entry = _manifest()[url]
    document: dict[str, Any] = json.loads(
        resources.files(__name__).joinpath(entry["file"]).read_text("utf-8")
    )
    return document


def urls() -> Iterator[str]:
    """Every context URL that can be used: the bundled ones, then any registered ones."""
    yield from _manifest()
    yield from (url for url in _registered if url not in _manifest())


def is_known(url: str) -> bool:
    """True if ``url`` is a bundled or registered context."""
    return url in _registered or url in _manifest()


def source(url: str) -> str:
    """Where the bundled copy of ``url`` came from (package and version, or repository and path)."""
    if url in _registered:
        return _registered[url][1]
    if url in _manifest():
        return _manifest()[url]["source"]
    raise _not_allowed(url)


def get(url: str) -> dict[str, Any]:
    """A fresh copy of the context document for ``url``.

    Raises ContextNotAllowedError for a URL that is neither bundled nor registered.
    """
    if url in _registered:
        return copy.deepcopy(_registered[url][0])
    if url in _manifest():
        return copy.deepcopy(_bundled(url))
    raise _not_allowed(url)


def register(url: str, document: dict[str, Any], source: str) -> None:
    """Make ``document`` available as the context at ``url`` (it overrides a bundled copy)."""
    if not isinstance(document, dict) or "@context" not in document:
        raise ValueError(f"a JSON-LD context document is an object with '@context' (registering {url})")
    _registered[url] = (copy.deepcopy(document), source)
    _forget_processed()


def unregister(url: str) -> None:
    """Undo :func:`register` for ``url``."""
    _registered.pop(url, None)
    _forget_processed()


def _forget_processed() -> None:
    _RESOLVED.clear()
    PROCESSED.clear()


def document_loader(url: str, options: dict[str, Any] | None = None) -> dict[str, Any]:
    """pyld document loader serving only known contexts; never touches the network."""
    return {
        "contextUrl": None,
        "documentUrl": url,
        "document": get(url),
        "contentType": "application/ld+json",
        "tag": "static",
    }


def check_allowed(doc: Any) -> None:
    """Raise ContextNotAllowedError if ``doc`` names a context URL anywhere that is not known.

    Walks every ``@context`` in the document, including those embedded in nested objects and scoped
    contexts, so the error names the URL before any processing starts.
    """
    stack = [doc]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if "@context" in node:
                _check_context_value(node["@context"])
            stack.extend(v for k, v in node.items() if k != "@context")
        elif isinstance(node, list):
            stack.extend(node)


def _check_context_value(value: Any) -> None:
    for item in value if isinstance(value, list) else [value]:
        if isinstance(item, str):
            if not is_known(item):
                raise _not_allowed(item)
        elif isinstance(item, dict):
            check_allowed(item)


def _not_allowed(url: str) -> ContextNotAllowedError:
    return ContextNotAllowedError(
        f"the JSON-LD context {url!r} is not one credstack bundles, and contexts are never fetched from the "
        "network; use the standard context URLs (for example https://www.w3.org/ns/credentials/v2 and "
        f"{OB_V3}), or bundle this one",
        code="format.context-not-bundled",
        url=url,
    )


class _FifoCache(OrderedDict[Any, Any]):
    """The mapping pyld's ContextResolver caches resolved contexts in, bounded to a fixed size."""

    def __init__(self, maxsize: int) -> None:
        super().__init__()
        self.maxsize = maxsize

    def __setitem__(self, key: Any, value: Any) -> None:
        super().__setitem__(key, value)
        if len(self) > self.maxsize:
            self.popitem(last=False)


_RESOLVED = _FifoCache(_RESOLVED_CACHE_SIZE)
PROCESSED = _FifoCache(_PROCESSED_CACHE_SIZE)


def resolver() -> ContextResolver:
    """A pyld ContextResolver (one per JSON-LD operation) over our loader and our own shared cache."""
    return ContextResolver(_RESOLVED, document_loader)
