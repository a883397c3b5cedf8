"""Errors raised by ``credstack.vc``.

Every error is a :class:`VCError`; its message says what was wrong and what to do about it, so a caller
can show it to a person as it is.
"""

from __future__ import annotations


class VCError(Exception):
    """Base class of every error raised by this package."""


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
