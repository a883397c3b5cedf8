"""Errors raised by ``credstack.vc``.

Every error is a :class:`VCError`; its message says what was wrong and what to do about it, in English
(the CLI, logs and the API show it as it is). An error a verification can report also has a stable
``code`` and the ``params`` its message is made of, so that a page can say the same in its viewer's
language (this package imports no Django: the catalogue lives in the display layer, decision 0056).
:func:`reason` gives both as one JSON-friendly value.
"""

from __future__ import annotations

from typing import Any


class VCError(Exception):
    """Base class of every error raised by this package.

    ``code``: a stable name of the message (``""``: none, the English message is all there is);
    ``params``: the values the message names (JSON values, or a nested :func:`reason`)."""

    def __init__(self, message: str = "", /, code: str = "", **params: Any) -> None:
        super().__init__(message)
        self.code = code
        self.params = params


def reason(message: str, code: str = "", params: dict[str, Any] | None = None) -> dict[str, Any]:
    """A message as data: ``{"code", "params", "message"}`` (the English ``message`` for whoever does not
    know the code)."""
    return {"code": code, "params": dict(params or {}), "message": message}


def error_reason(exc: BaseException) -> dict[str, Any]:
    """:func:`reason` of an exception (a :class:`VCError`'s code and params; none for another)."""
    return reason(str(exc), getattr(exc, "code", ""), getattr(exc, "params", None))


class DocumentError(VCError, ValueError):
    """The document is not something we can sign or verify (wrong shape, unsafe JSON-LD)."""


class DocumentTooLargeError(DocumentError):
    """The document is over a size, nesting-depth or canonicalization-size limit."""


class ContextNotAllowedError(DocumentError):
    """The document names a JSON-LD context that is not bundled with credstack.

    Contexts are never fetched from the network; only the bundled ones (``credstack.vc.contexts``) work.
    """


class UnsafeDocumentError(DocumentError):
    """JSON-LD processing would silently drop or change part of the document ("safe mode").

    Whatever is dropped is not signed, so a document that triggers this is refused as a whole, as Digital
    Bazaar's jsonld.js does in safe mode.
    """


class UndefinedTermError(UnsafeDocumentError):
    """A property or type is not defined by the document's ``@context``."""


class CanonicalizationLimitError(DocumentTooLargeError):
    """RDFC-1.0 canonicalization would need more work than allowed (a "poison graph")."""


class InvalidKeyError(VCError, ValueError):
    """A key, multibase string or did:key is malformed."""


class DidError(VCError, ValueError):
    """A DID is malformed or its DID document cannot be used."""


class ProofError(VCError, ValueError):
    """A proof cannot be created, or a proof object is malformed."""


class StatusListError(VCError, ValueError):
    """A status list is malformed or an index is out of its range."""
