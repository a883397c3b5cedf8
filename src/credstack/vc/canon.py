"""JSON-LD to canonical N-Quads, the way Digital Bazaar's jsonld.js does it in safe mode.

pyld does the JSON-LD expansion and the node map (with bundled contexts only, base None). We do the rest
ourselves, mirroring jsonld.js 9 and rdf-canonize 5, because pyld differs from them where it matters for
signatures:

- **Safe mode.** jsonld.js refuses a document when expansion or RDF conversion would drop something
  (an undefined term, a relative IRI, a free-floating value...); pyld drops it silently, and what is
  dropped is not signed. We raise :class:`~credstack.vc.errors.UnsafeDocumentError` (or
  :class:`~credstack.vc.errors.UndefinedTermError`) naming the offending term and where it is.
- **RDF conversion** follows jsonld.js ``toRdf.js``: JSON numbers are JavaScript numbers (``5.0`` is the
  integer 5, ``1e-7`` is the integer ``"0"``, doubles use ``toExponential(15)`` rounding), ``@direction``
  is encoded with ``rdfDirection: 'i18n-datatype'`` (eddsa-rdfc-2022) or refused (Ed25519Signature2020).
- **Canonicalization** is :mod:`credstack.vc.rdfc` (RDFC-1.0 with rdf-canonize's escaping, order and
  work cap), never pyld's ``normalize`` (whose escaping is wrong and default algorithm is URGNA2012).
- **Bounds.** Input over :data:`MAX_DOCUMENT_BYTES` (about, as JSON) or :data:`MAX_DEPTH` levels of
  nesting is refused before any processing.
"""

from __future__ import annotations

import hashlib
import math
import re
from decimal import ROUND_HALF_UP, Decimal, localcontext
from typing import Any, NoReturn

from pyld import jsonld

from credstack.vc import contexts, rdfc, shapes
from credstack.vc.errors import (
    DocumentError,
    DocumentTooLargeError,
    UndefinedTermError,
    UnsafeDocumentError,
    VCError,
)

MAX_DOCUMENT_BYTES = 1024 * 1024
MAX_DEPTH = 64

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_TYPE, RDF_FIRST, RDF_REST, RDF_NIL = RDF + "type", RDF + "first", RDF + "rest", RDF + "nil"
XSD_BOOLEAN, XSD_DOUBLE, XSD_INTEGER = XSD + "boolean", XSD + "double", XSD + "integer"

I18N_DATATYPE = "i18n-datatype"

# jsonld.js: /^([A-Za-z][A-Za-z0-9+-.]*|_):[^\s]*$/ with JavaScript's \s. We refuse the union of
# JavaScript's and Python's whitespace and all control characters, so an IRI is never kept by one and
# dropped by the other.
_IRI = shapes.IRI
_BCP47 = re.compile(r"[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*")
# one way to match each digit: "\d+\.?\d*" took 7 s for 20,000 digits and a letter (quadratic backtracking)
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_JS_SAFE_INTEGER = 2**53
_KEYWORDS = frozenset(jsonld.KEYWORDS)  # the JSON-LD keywords, as pyld knows them


def canonicalize(
    doc: dict[str, Any],
    *,
    rdf_direction: str | None = I18N_DATATYPE,
    fast: bool = True,
    hash_algorithm: str = "sha256",
) -> str:
    """RDFC-1.0 canonical N-Quads of a JSON-LD document, in safe mode, offline, bounded.

    ``rdf_direction`` is jsonld.js's option of that name: eddsa-rdfc-2022 uses ``'i18n-datatype'``,
    Ed25519Signature2020 uses None (a value with ``@direction`` is then refused).
    ``fast=False`` skips the fast path for known shapes (:mod:`credstack.vc.shapes`); the result is the
    same (the differential tests hold both paths to it), only slower.
    ``hash_algorithm``: RDFC-1.0's hash for naming blank nodes (``sha384`` for ecdsa-rdfc-2019 with a
    P-384 key, as jsonld.js's ``messageDigestAlgorithm``).
    Raises a :class:`~credstack.vc.errors.DocumentError` subclass if the document is refused.
    """
    return rdfc.canonicalize(
        to_quads(doc, rdf_direction=rdf_direction, fast=fast), hash_algorithm=hash_algorithm
    )


def canonical_hash(
    doc: dict[str, Any], *, rdf_direction: str | None = I18N_DATATYPE, fast: bool = True
) -> bytes:
    """SHA-256 of :func:`canonicalize`'s output."""
    canonical = canonicalize(doc, rdf_direction=rdf_direction, fast=fast)
    return hashlib.sha256(canonical.encode("utf-8")).digest()


def to_quads(
    doc: dict[str, Any], *, rdf_direction: str | None = I18N_DATATYPE, fast: bool = True
) -> list[rdfc.Quad]:
    """The RDF dataset of a JSON-LD document, as jsonld.js ``toRDF`` in safe mode gives it.

    A document of a shape :mod:`credstack.vc.shapes` handles takes its fast path (unless ``fast`` is
    False); any other takes pyld's expansion with the safe-mode checks below.
    """
    if not isinstance(doc, dict):
        raise DocumentError("a JSON-LD document to canonicalize must be a JSON object")
    contexts.check_allowed(doc)
    document = js_json(doc)
    processor = _SafeProcessor(rdf_direction)
    try:
        quads = shapes.quads(document, processor.process_context, shapes.options()) if fast else None
        return quads if quads is not None else processor.to_quads(document)
    except jsonld.JsonLdError as exc:
        raise _unwrap(exc) from exc
    except RecursionError as exc:
        raise DocumentTooLargeError(
            "the document is nested too deeply to process", code="format.too-deep"
        ) from exc


def _unwrap(exc: jsonld.JsonLdError) -> VCError:
    """Our own error if pyld wrapped one (a refused context URL), else a readable one for pyld's."""
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, VCError):
            return cause
        cause = cause.__cause__
    message = exc.args[0] if exc.args else exc.type
    details = f" ({exc.details!r})" if exc.details else ""
    return UnsafeDocumentError(f"invalid JSON-LD, {exc.code or exc.type}: {message}{details}")


# ---------------------------------------------------------------- input: bounds and JavaScript numbers


def js_json(value: Any) -> Any:
    """A copy of a JSON value with limits checked and numbers as JavaScript would read them.

    Refuses (DocumentTooLargeError) more than MAX_DOCUMENT_BYTES of JSON (approximately) or more than
    MAX_DEPTH nested levels, and (DocumentError) anything that is not JSON: NaN/Infinity, lone UTF-16
    surrogates, non-string keys, other Python types. Integral floats below 1e21 become ints and ints
    beyond JavaScript's exact range are rounded as JavaScript rounds them, so ``1.0`` and ``1`` are the
    same value here, as they are in jsonld.js.
    """
    budget = [MAX_DOCUMENT_BYTES]
    return _js_copy(value, 0, budget)


def _spend(budget: list[int], amount: int) -> None:
    budget[0] -= amount
    if budget[0] < 0:
        _too_large()


def _too_large() -> NoReturn:
    raise DocumentTooLargeError(
        f"the document is larger than {MAX_DOCUMENT_BYTES // 1024} KiB; credentials this large are not "
        "accepted (move big content such as images out of the credential and link to it)",
        code="format.too-large-move",
        limit=MAX_DOCUMENT_BYTES // 1024,
    )


def _check_text(value: str) -> None:
    """Refuses a string holding a lone surrogate (ASCII text, nearly all of it, cannot)."""
    if not value.isascii() and _SURROGATE.search(value):
        raise DocumentError(
            f"the string {value[:40]!r} holds a lone UTF-16 surrogate, which is not valid Unicode text",
            code="format.lone-surrogate",
            value=ascii(value[:40]),
        )


def _too_deep() -> NoReturn:
    raise DocumentTooLargeError(
        f"the document nests objects and arrays deeper than {MAX_DEPTH} levels",
        code="format.depth",
        limit=MAX_DEPTH,
    )


# Every credential signed or verified is walked here, so strings (most of a credential's values) are
# checked inline in the loops of their object or array, with the budget in a local, rather than in calls
# of their own: the same checks in the same order, in about half the time (benchmarks/canon.py, js_json).
def _js_copy(value: Any, depth: int, budget: list[int]) -> Any:
    if isinstance(value, str):
        _spend(budget, len(value) + 3)
        _check_text(value)
        return value
    if isinstance(value, dict):
        depth += 1
        if depth > MAX_DEPTH:
            _too_deep()
        left = budget[0] - 2
        if left < 0:
            _too_large()
        out = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise DocumentError(
                    f"JSON object keys are strings, not {key!r}", code="format.key-not-string", key=repr(key)
                )
            left -= len(key) + 3
            if left < 0:
                _too_large()
            if not key.isascii():
                _check_text(key)
            if type(item) is str:
                left -= len(item) + 3
                if left < 0:
                    _too_large()
                if not item.isascii():
                    _check_text(item)
                out[key] = item
            else:
                budget[0] = left
                out[key] = _js_copy(item, depth, budget)
                left = budget[0]
        budget[0] = left
        return out
    if isinstance(value, list | tuple):
        depth += 1
        if depth > MAX_DEPTH:
            _too_deep()
        left = budget[0] - 2
        if left < 0:
            _too_large()
        items = []
        for item in value:
            if type(item) is str:
                left -= len(item) + 3
                if left < 0:
                    _too_large()
                if not item.isascii():
                    _check_text(item)
                items.append(item)
            else:
                budget[0] = left
                items.append(_js_copy(item, depth, budget))
                left = budget[0]
        budget[0] = left
        return items
    _spend(budget, 8)
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return _js_number(value)
    raise DocumentError(f"{type(value).__name__} values are not JSON")


def _js_number(value: int | float) -> int | float:
    if isinstance(value, int):
        if abs(value) <= _JS_SAFE_INTEGER:
            return value
        try:
            value = float(value)
        except OverflowError:
            raise DocumentError(
                "a number in the document is too large for a JSON number", code="format.number-too-large"
            ) from None
    if not math.isfinite(value):
        raise DocumentError("NaN and Infinity are not JSON numbers", code="format.not-a-number")
    if value.is_integer() and abs(value) < 1e21:
        return int(value)
    return value


def _js_is_double(value: int | float) -> bool:
    # jsonld.js types.isDouble: String(v) has a '.', or |v| >= 1e21.
    if abs(value) >= 1e21:
        return True
    if isinstance(value, int) or value.is_integer():
        return False
    return abs(value) >= 1e-6 or "." in repr(value)


def _js_to_fixed0(value: int | float) -> str:
    if isinstance(value, int) or value.is_integer():
        return str(int(value))
    return "-0" if value < 0 else "0"  # |value| < 1e-6 here


def _js_to_exponential15(value: int | float) -> str:
    # JavaScript's value.toExponential(15).replace(/(\d)0*e\+?/, '$1E'): exact value, ties rounded up.
    with localcontext() as ctx:
        ctx.prec = 1100
        exact = abs(Decimal(value))
        sign = "-" if value < 0 else ""
        if exact == 0:
            digits, exponent = "0" * 16, 0
        else:
            exponent = exact.adjusted()
            scaled = exact.scaleb(15 - exponent).quantize(Decimal(1), rounding=ROUND_HALF_UP)
            if scaled >= 10**16:
                scaled, exponent = (scaled / 10).quantize(Decimal(1), rounding=ROUND_HALF_UP), exponent + 1
            digits = str(int(scaled))
    text = f"{sign}{digits[0]}.{digits[1:]}e{'+' if exponent >= 0 else '-'}{abs(exponent)}"
    return re.sub(r"(\d)0*e\+?", r"\1E", text, count=1)


# ---------------------------------------------------------------- expansion and RDF, in safe mode


class _SafeProcessor(jsonld.JsonLdProcessor):  # type: ignore[misc]  # pyld has no type hints
    """pyld's processor, made to refuse what jsonld.js refuses in safe mode, producing quads."""

    def __init__(self, rdf_direction: str | None) -> None:
        super().__init__(on_property_dropped=self._property_dropped)
        self.rdf_direction = rdf_direction
        self.trail: list[tuple[str | None, Any]] = []

    def process_context(self, active_ctx: Any, local_ctx: Any, options: Any, **flags: Any) -> Any:
        """pyld's context processing with this processor's caches (for :mod:`credstack.vc.shapes`)."""
        return self._process_context(active_ctx, local_ctx, options, **flags)

    def to_quads(self, document: Any) -> list[rdfc.Quad]:
        options = {
            "base": None,
            "isFrame": False,
            "keepFreeFloatingNodes": False,
            "documentLoader": contexts.document_loader,
            "contextResolver": contexts.resolver(),
            "extractAllScripts": False,
            "processingMode": "json-ld-1.1",
        }
        expanded = self._expand(self._get_initial_context(options), None, document, options)
        if isinstance(expanded, dict) and "@graph" in expanded and len(expanded) == 1:
            expanded = expanded["@graph"]
        node_map: dict[str, Any] = {"@default": {}}
        issuer = jsonld.IdentifierIssuer("_:b")
        self._create_node_map(jsonld.JsonLdProcessor.arrayify(expanded), node_map, "@default", issuer)
        quads: list[rdfc.Quad] = []
        for graph_name in sorted(node_map):
            graph = None if graph_name == "@default" else self._node_term(graph_name, "graph name")
            self._graph_to_quads(node_map[graph_name], graph, issuer, quads)
        return quads

    # -- expansion hooks

    def _process_context(
        self,
        active_ctx: dict[str, Any],
        local_ctx: Any,
        options: dict[str, Any],
        override_protected: bool = False,
        propagate: bool = True,
        validate_scoped: bool = True,
        cycles: Any = None,
    ) -> Any:
        # pyld re-processes a type-scoped context for every node that has the type (its own cache is
        # keyed by a fresh clone of the active context each time). A processed non-empty context is
        # immutable (pyld freezes it) and both inputs here are objects nobody mutates (bundled
        # documents, or this call's private copy of the input), kept alive by the cache entry, so their
        # identity is a safe key. Top-level context lists are left to pyld's own cache, which works.
        if (
            cycles is not None
            or "_uuid" not in active_ctx
            or not isinstance(local_ctx, dict)
            or not local_ctx
        ):
            return super()._process_context(
                active_ctx, local_ctx, options, override_protected, propagate, validate_scoped, cycles
            )
        key = (active_ctx["_uuid"], id(local_ctx), override_protected, propagate, validate_scoped)
        hit = contexts.PROCESSED.get(key)
        if hit is not None and hit[0] is local_ctx and hit[1] is active_ctx:
            return hit[2]
        result = super()._process_context(
            active_ctx, local_ctx, options, override_protected, propagate, validate_scoped, cycles
        )
        contexts.PROCESSED[key] = (local_ctx, active_ctx, result)
        return result

    def _expand(
        self,
        active_ctx: dict[str, Any],
        active_property: str | None,
        element: Any,
        options: dict[str, Any],
        inside_list: bool = False,
        inside_index: bool = False,
        type_scoped_ctx: Any = None,
    ) -> Any:
        self.trail.append((active_property, element))
        result = super()._expand(
            active_ctx,
            active_property,
            element,
            options,
            inside_list=inside_list,
            inside_index=inside_index,
            type_scoped_ctx=type_scoped_ctx,
        )
        self.trail.pop()
        if element is None or isinstance(element, list):
            return result
        if result is None:
            raise UnsafeDocumentError(
                f"{self._where(active_property)} {_describe(element)} would be dropped by JSON-LD "
                "processing (an empty object, a value not attached to any property, an object with only "
                "an id, or a null @value), so it could not be signed; remove it or attach it to a property"
            )
        if isinstance(result, dict):
            if result.get("@id", "") is None:
                raise UnsafeDocumentError(
                    f"{self._where(active_property)} has an id that looks like a "
                    "JSON-LD keyword, which JSON-LD ignores"
                )
            container = jsonld.JsonLdProcessor.get_context_value(active_ctx, active_property, "@container")
            if (
                not inside_list
                and active_property is not None
                and container
                and "@graph" in container
                and _dropped_in_graph(result)
            ):
                raise UnsafeDocumentError(
                    f"{self._where(active_property)} {_describe(element)} would be dropped from a graph "
                    "container by JSON-LD processing, so it could not be signed"
                )
        return result

    def _property_dropped(self, expanded_property: str | None) -> None:
        keys = list(self.trail[-1][1]) if self.trail and isinstance(self.trail[-1][1], dict) else []
        if expanded_property is not None:
            name = expanded_property
        else:
            odd = [k for k in keys if k.startswith("@") and k not in _KEYWORDS]
            name = odd[0] if odd else "a key mapped to null"
        raise UndefinedTermError(
            f"the property {name!r} at {self._path(name)} is not defined by the document's @context, so it "
            "would not be signed; remove it, or use a context that defines it (in safe mode, as Digital "
            "Bazaar's verifier checks, undefined terms are refused)",
            code="format.undefined-property",
            name=name,
            path=self._path(name),
        )

    def _path(self, last: str | None = None) -> str:
        parts: list[str] = []
        for prop, _ in self.trail:
            if prop is not None and (not parts or parts[-1] != prop):
                parts.append(prop)
        if last is not None and (not parts or parts[-1] != last):
            parts.append(last)
        return ".".join(parts) or "the top level"

    def _where(self, active_property: str | None) -> str:
        path = self._path(active_property)
        return "at the top level" if path == "the top level" else f"under {path!r}"

    # -- RDF conversion (jsonld.js toRdf.js)

    def _graph_to_quads(
        self, graph: dict[str, Any], graph_term: rdfc.Term | None, issuer: Any, quads: list[rdfc.Quad]
    ) -> None:
        for subject_id in sorted(graph):
            node = graph[subject_id]
            for prop in sorted(node):
                items = node[prop]
                if prop == "@type":
                    prop = RDF_TYPE
                elif prop in _KEYWORDS or not items:
                    continue
                subject = self._node_term(subject_id, "subject")
                if prop.startswith("_:"):
                    raise UnsafeDocumentError(
                        f"the property {prop!r} is a blank node, which RDF does not allow"
                    )
                if not _IRI.fullmatch(prop):
                    raise UndefinedTermError(f"the property {prop!r} is not an absolute IRI")
                for item in items:
                    quads.append(
                        (subject, prop, self._object_term(item, issuer, quads, graph_term), graph_term)
                    )

    def _node_term(self, node_id: str, role: str) -> rdfc.Term:
        if node_id.startswith("_:"):
            return ("B", node_id[2:])
        if _IRI.fullmatch(node_id):
            return ("I", node_id)
        if role == "type":
            raise UndefinedTermError(
                f"the type {node_id!r} is not defined by the document's @context, so it would not be signed; "
                "use a type the context defines, or a full IRI",
                code="format.undefined-type",
                type=node_id,
            )
        raise UnsafeDocumentError(
            f"the {role} {node_id!r} is not an absolute IRI (relative references are not resolved against "
            "any base when signing); use a full URL, URN or DID",
            code=_RELATIVE_CODES.get(role, ""),
            id=node_id,
        )

    def _object_term(
        self, item: Any, issuer: Any, quads: list[rdfc.Quad], graph_term: rdfc.Term | None
    ) -> rdfc.Term:
        if isinstance(item, dict) and "@value" in item:
            return self._literal(item)
        if isinstance(item, dict) and "@list" in item:
            return self._list(item["@list"], issuer, quads, graph_term)
        node_id = item["@id"] if isinstance(item, dict) else item
        return self._node_term(node_id, "object" if not isinstance(item, str) else "type")

    def _list(
        self, items: list[Any], issuer: Any, quads: list[rdfc.Quad], graph_term: rdfc.Term | None
    ) -> rdfc.Term:
        if not items:
            return ("I", RDF_NIL)
        head = subject = ("B", issuer.get_id()[2:])
        for index, item in enumerate(items):
            quads.append((subject, RDF_FIRST, self._object_term(item, issuer, quads, graph_term), graph_term))
            rest = ("B", issuer.get_id()[2:]) if index < len(items) - 1 else ("I", RDF_NIL)
            quads.append((subject, RDF_REST, rest, graph_term))
            subject = rest
        return head

    def _literal(self, item: dict[str, Any]) -> rdfc.Term:
        value = item["@value"]
        datatype = item.get("@type")
        if datatype == "@json":
            raise UnsafeDocumentError("JSON literals (@type @json) are not supported by credstack")
        if isinstance(datatype, str) and not _IRI.fullmatch(datatype):
            raise UnsafeDocumentError(f"the datatype {datatype!r} is not an absolute IRI")
        if isinstance(value, bool):
            return ("L", "true" if value else "false", datatype or XSD_BOOLEAN, None)
        if isinstance(value, int | float) and (_js_is_double(value) or datatype == XSD_DOUBLE):
            return ("L", _js_to_exponential15(value), datatype or XSD_DOUBLE, None)
        if datatype == XSD_DOUBLE:
            if not _PLAIN_NUMBER.fullmatch(value):
                raise UnsafeDocumentError(
                    f"the value {value!r} is typed xsd:double but is not a plain number"
                )
            number = float(value)
            if math.isinf(number):
                return ("L", "-Infinity" if number < 0 else "Infinity", XSD_DOUBLE, None)
            return ("L", _js_to_exponential15(number), XSD_DOUBLE, None)
        if isinstance(value, int | float):
            return ("L", _js_to_fixed0(value), datatype or XSD_INTEGER, None)
        if "@direction" in item:
            if self.rdf_direction != I18N_DATATYPE:
                raise UnsafeDocumentError(
                    f"the value {value!r} has a text direction (@direction), which this proof type "
                    "cannot sign"
                )
            language = item.get("@language", "").lower()
            if language and not _BCP47.fullmatch(language):
                raise UnsafeDocumentError(
                    f"the language tag {language!r} is not a valid BCP 47 tag",
                    code="format.language-tag",
                    tag=language,
                )
            return ("L", value, f"https://www.w3.org/ns/i18n#{language}_{item['@direction']}", None)
        if "@language" in item:
            language = item["@language"]
            if not _BCP47.fullmatch(language):
                raise UnsafeDocumentError(
                    f"the language tag {language!r} is not a valid BCP 47 tag",
                    code="format.language-tag",
                    tag=language,
                )
            return ("L", value, datatype or rdfc.RDF_LANGSTRING, language)
        return ("L", value, datatype or rdfc.XSD_STRING, None)


def _dropped_in_graph(expanded: dict[str, Any]) -> bool:
    return (
        not expanded
        or "@value" in expanded
        or "@list" in expanded
        or (len(expanded) == 1 and "@id" in expanded)
    )


# a relative reference's code by the role it has in the document (Processor._node_term)
_RELATIVE_CODES = {
    "subject": "format.relative-subject",
    "object": "format.relative-object",
    "graph name": "format.relative-graph",
}


def _describe(element: Any) -> str:
    if isinstance(element, dict):
        return "an empty object" if not element else f"the object with keys {sorted(element)}"
    return f"the value {element!r}"
