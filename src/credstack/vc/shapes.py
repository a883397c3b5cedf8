"""The fast path from a JSON-LD document to RDF quads, for the shapes credstack itself signs.

:mod:`credstack.vc.canon` turns a document into quads with pyld's general expansion algorithm, which
spends ~0.7 ms on a typical credential even with every context already processed: it is written for all
of JSON-LD 1.1 and re-derives, for every key of every node, what the active context says about it.

Here the same steps are taken for the subset of JSON-LD that credentials use (decision 0033), straight
from the compacted document to quads:

- Contexts are still pyld's: the document's ``@context`` and every type-scoped and property-scoped
  context are processed by pyld's own ``_process_context`` (through canon's processor, whose caches make
  that a dictionary look-up), in the same order and with the same flags as pyld's ``_expand`` and
  ``_expand_object`` use. What a processed context says about a term (its IRI, type mapping, container,
  scoped context) is read once per context and kept.
- Expansion, the node map and the RDF conversion are fused into one walk over the document.

Anything outside the subset makes :func:`quads` return None, and the caller takes the general path, which
then gives the same result or refuses the document with its precise error. Outside the subset are: an
``@context`` below the top level; any key that is a JSON-LD keyword other than ``@id``/``@type`` (or an
alias of one); a key that does not expand to an absolute IRI; ``@list``/``@graph``/``@language``/
``@index``/``@id``/``@type`` containers and ``@json`` values; default or term languages and directions;
``@reverse``/``@nest`` terms; floating-point numbers and ``xsd:double``-typed strings; ``null`` values and
empty objects; nested arrays; blank-node identifiers written in the document; an ``@id`` that is not an
absolute IRI (or that pyld would expand as a compact IRI); two node objects with the same ``@id``; and a
property holding two values that pyld or jsonld.js would merge. The differential tests in
``tests/vc/test_shapes.py`` check, over generated credentials, that the two paths give byte-identical
canonical N-Quads, and that jsonld.js agrees.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from typing import Any

from pyld import jsonld

from credstack.vc import contexts

# jsonld.js: /^([A-Za-z][A-Za-z0-9+-.]*|_):[^\s]*$/ with JavaScript's \s. We refuse the union of
# JavaScript's and Python's whitespace and all control characters, so an IRI is never kept by one and
# dropped by the other. (canon uses this same pattern for the general path.)
IRI = re.compile(r"([A-Za-z][A-Za-z0-9+\-.]*|_):[^\s\x00-\x20\x7f-\x9f\ufeff]*")
_KEYWORD_LIKE = re.compile(jsonld.KEYWORD_PATTERN)
_KEYWORDS = frozenset(jsonld.KEYWORDS)
_FROZEN = type(jsonld.freeze({}))

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
XSD = "http://www.w3.org/2001/XMLSchema#"
XSD_STRING, XSD_BOOLEAN, XSD_INTEGER, XSD_DOUBLE = (
    XSD + "string",
    XSD + "boolean",
    XSD + "integer",
    XSD + "double",
)

Term = tuple[Any, ...]
Quad = tuple[Term, str, Term, Term | None]

# What a processed context says about one key, read once per (context, key):
# (expanded IRI or '@id'/'@type', type mapping, scoped context or None, supported)
_TermInfo = tuple[str | None, Any, Any, bool]
_TERM_CACHE_SIZE = 20_000
_terms: dict[tuple[int, str], tuple[Any, _TermInfo]] = {}


class _Unsupported(Exception):
    """The document leaves the subset handled here: take the general path."""


def quads(
    document: dict[str, Any], process_context: Callable[..., Any], options: dict[str, Any]
) -> list[Quad] | None:
    """The RDF quads of ``document`` (a :func:`credstack.vc.canon.js_json` copy), or None.

    ``process_context`` is pyld's context processing as the general path runs it (its processor's
    ``_process_context``), used for every context so that both paths see the same active contexts;
    ``options`` are its pyld options. None means the document is outside the subset this path handles;
    nothing is refused here.
    """
    try:
        return _Walk(process_context, options).document(document)
    except (_Unsupported, jsonld.JsonLdError):
        return None  # the general path processes the same contexts and reports any error its way


def options() -> dict[str, Any]:
    """pyld options for one operation over the bundled contexts (as the general path uses)."""
    return {
        "base": None,
        "isFrame": False,
        "keepFreeFloatingNodes": False,
        "documentLoader": contexts.document_loader,
        "contextResolver": contexts.resolver(),
        "extractAllScripts": False,
        "processingMode": "json-ld-1.1",
    }


def _term(ctx: Any, key: str) -> _TermInfo:
    """What ``ctx`` says about ``key`` as a property of a node (cached for frozen contexts)."""
    cache_key = (id(ctx), key)
    hit = _terms.get(cache_key)
    if hit is not None and hit[0] is ctx:
        return hit[1]
    info = _read_term(ctx, key)
    if isinstance(ctx, _FROZEN):  # pyld never changes a frozen context; the entry keeps it alive
        if len(_terms) >= _TERM_CACHE_SIZE:
            _terms.clear()
        _terms[cache_key] = (ctx, info)
    return info


def _read_term(ctx: Any, key: str) -> _TermInfo:
    mappings = ctx["mappings"]
    expanded = _iri(ctx, key, vocab=True)
    if expanded in ("@id", "@type"):
        return expanded, None, None, True
    if expanded is None or expanded in _KEYWORDS or not IRI.fullmatch(expanded) or expanded.startswith("_:"):
        return expanded, None, None, False
    entry = mappings.get(key)
    if entry is None:
        # an IRI or compact IRI used as a key: no term definition, nothing scoped
        return expanded, None, None, "@language" not in ctx and "@direction" not in ctx
    supported = (
        not entry.get("reverse")
        and "@nest" not in entry
        and "@language" not in entry
        and "@direction" not in entry
        and "@language" not in ctx
        and "@direction" not in ctx
        and all(c == "@set" for c in jsonld.JsonLdProcessor.arrayify(entry.get("@container") or []))
        and entry.get("@type") not in ("@json", "@none", XSD_DOUBLE)
        and "@index" not in entry
    )
    datatype = entry.get("@type")
    if datatype not in (None, "@id", "@vocab") and not (
        isinstance(datatype, str) and IRI.fullmatch(datatype)
    ):
        supported = False
    return expanded, datatype, entry.get("@context"), supported


def _iri(ctx: Any, value: str, *, vocab: bool) -> str | None:
    """pyld's ``_expand_iri`` with no base and no local context being defined."""
    if value in _KEYWORDS:
        return value
    if _KEYWORD_LIKE.match(value):
        return None
    mappings = ctx["mappings"]
    if vocab and value in mappings:
        mapping = mappings[value]
        return None if mapping is None else mapping["@id"]
    colon = value.find(":")
    if colon > 0:
        prefix, suffix = value[:colon], value[colon + 1 :]
        if prefix == "_" or suffix.startswith("//"):
            return value
        mapping = mappings.get(prefix)
        if mapping and mapping["_prefix"]:
            return mapping["@id"] + suffix  # type: ignore[no-any-return]
        if IRI.fullmatch(value):
            return value
    if vocab and "@vocab" in ctx:
        return ctx["@vocab"] + value  # type: ignore[no-any-return]
    return value


def _node_iri(ctx: Any, value: Any, *, vocab: bool) -> str:
    """An IRI naming a node (``@id``, ``@type`` or an ``@id``/``@vocab``-typed value), or unsupported."""
    if not isinstance(value, str):
        raise _Unsupported
    expanded = _iri(ctx, value, vocab=vocab)
    if expanded is None or expanded.startswith("_:") or expanded in _KEYWORDS or not IRI.fullmatch(expanded):
        raise _Unsupported
    return expanded


class _Plan:
    """What pyld's expansion does with one node shape: same context, property, keys and types."""

    __slots__ = ("ctx", "id_ctx", "id_key", "props", "types")

    def __init__(self) -> None:
        self.ctx: Any = None
        self.id_key: str | None = None
        self.id_ctx: Any = None
        self.types: list[Term] = []
        self.props: list[tuple[str, str, Any, Any]] = []  # (key, predicate IRI, term context, datatype)


_PLAN_CACHE_SIZE = 20_000
# (id(ctx), active property, top, keys) -> (ctx, base context, type keys, {type values: _Plan})
_plans: dict[tuple[Any, ...], tuple[Any, Any, tuple[str, ...], dict[Any, _Plan]]] = {}


class _Walk:
    def __init__(self, process_context: Callable[..., Any], options: dict[str, Any]) -> None:
        self.process = process_context
        self.options = options
        self.out: list[Quad] = []
        self.blank = itertools.count()
        self.seen: dict[tuple[Term, str], set[Any]] = {}

    def document(self, document: dict[str, Any]) -> list[Quad]:
        context = document.get("@context")
        ctx = self.top_context(context)
        body = {k: v for k, v in document.items() if k != "@context"}
        if self.node(ctx, None, body, top=True) is None:
            raise _Unsupported
        return self.out

    def top_context(self, context: Any) -> Any:
        if isinstance(context, str):
            key: Any = ("shapes", context)
        elif isinstance(context, list) and context and all(isinstance(c, str) for c in context):
            key = ("shapes", *context)
        else:
            raise _Unsupported  # embedded context objects: the general path
        hit = contexts.PROCESSED.get(key)  # emptied when contexts.register changes what a URL means
        if hit is None:
            initial = jsonld.JsonLdProcessor()._get_initial_context(self.options)
            hit = contexts.PROCESSED[key] = self.process(initial, context, self.options)
        return hit

    def plan(self, ctx: Any, active_property: str | None, element: dict[str, Any], top: bool) -> _Plan:
        keys = tuple(sorted(element))
        cache_key = (id(ctx), active_property, top, keys)
        hit = _plans.get(cache_key)
        if hit is None or hit[0] is not ctx:
            base, type_keys = self.base_context(ctx, active_property, keys, top)
            hit = (ctx, base, type_keys, {})
            if isinstance(ctx, _FROZEN):
                if len(_plans) >= _PLAN_CACHE_SIZE:
                    _plans.clear()
                _plans[cache_key] = hit
        _, base, type_keys, by_types = hit
        types = tuple(_type_names(element[k]) for k in type_keys)
        plan = by_types.get(types)
        if plan is None:
            plan = by_types[types] = self.make_plan(base, keys, type_keys, types)
        return plan

    def base_context(
        self, ctx: Any, active_property: str | None, keys: tuple[str, ...], top: bool
    ) -> tuple[Any, tuple[str, ...]]:
        """pyld ``_expand``: the context a node's type-scoped contexts apply to, and its @type keys."""
        if not keys or "@context" in keys:
            raise _Unsupported
        if not top:
            # revert a non-propagated (type-scoped) context unless this is a subject reference
            must_revert = True
            if ctx.get("previousContext") and len(keys) <= 2:
                for key in keys:
                    expanded = _iri(ctx, key, vocab=True)
                    if expanded == "@value":
                        raise _Unsupported
                    if expanded == "@id" and len(keys) == 1:
                        must_revert = False
                        break
            entry = ctx["mappings"].get(active_property) if active_property else None
            property_ctx = entry.get("@context") if entry else None
            if must_revert and "previousContext" in ctx:
                ctx = ctx["previousContext"]
            if property_ctx is not None:
                ctx = self.process(ctx, property_ctx, self.options, override_protected=True)
        return ctx, tuple(k for k in keys if _iri(ctx, k, vocab=True) == "@type")

    def make_plan(
        self, ctx: Any, keys: tuple[str, ...], type_keys: tuple[str, ...], types: tuple[tuple[str, ...], ...]
    ) -> _Plan:
        # pyld _prepare_nested_context: type-scoped contexts, looked up in the context before them; each
        # key is tested for being @type in the context as it stands after the earlier keys' types
        type_ctx = ctx
        applied = []
        for key in keys:
            if _iri(ctx, key, vocab=True) != "@type":
                continue
            if key not in type_keys:
                raise _Unsupported  # made an @type alias by an earlier type's scoped context
            applied.append(key)
            for name in sorted(types[type_keys.index(key)]):
                entry = type_ctx["mappings"].get(name)
                scoped = entry.get("@context") if entry else None
                if scoped is not None and scoped is not False:
                    ctx = self.process(ctx, scoped, self.options, propagate=False)
        if len(applied) != len(type_keys):
            raise _Unsupported  # an @type alias undone by an earlier type's scoped context
        plan = _Plan()
        plan.ctx = ctx
        for key in keys:
            expanded, _, scoped, supported = _term(ctx, key)
            if not supported:
                raise _Unsupported
            if expanded == "@id":
                if plan.id_key is not None:
                    raise _Unsupported
                plan.id_key, plan.id_ctx = key, ctx
            elif expanded == "@type":
                if key not in type_keys:
                    raise _Unsupported  # an @type alias only a type-scoped context defines
                for name in types[type_keys.index(key)]:
                    plan.types.append(("I", _node_iri(type_ctx, name, vocab=True)))
            else:
                assert expanded is not None  # _term marks None unsupported
                if expanded == RDF_TYPE:
                    raise _Unsupported  # pyld writes @type and rdf:type values apart
                term_ctx = ctx
                if scoped is not None:
                    term_ctx = self.process(
                        ctx, scoped, self.options, propagate=True, override_protected=True
                    )
                # pyld _expand_value reads the value's term in the scoped context
                value_expanded, datatype, _, value_supported = _term(term_ctx, key)
                if not value_supported or value_expanded in _KEYWORDS:
                    raise _Unsupported
                plan.props.append((key, expanded, term_ctx, datatype))
        return plan

    def node(
        self, ctx: Any, active_property: str | None, element: dict[str, Any], top: bool = False
    ) -> Term | None:
        """Quads of one node object; returns its term (None for a top-level node pyld would drop)."""
        plan = self.plan(ctx, active_property, element, top)
        if plan.id_key is None:
            if top and not plan.types and not plan.props:
                return None
            subject: Term = ("B", f"b{next(self.blank)}")
        else:
            subject = ("I", _node_iri(plan.id_ctx, element[plan.id_key], vocab=False))
            if top and not plan.types and not plan.props:
                return None
        # Two node objects with one @id are one node (pyld's node map merges them), and a node holds a
        # value once: the same value again adds nothing. pyld compares values with Python's == (True == 1,
        # and "5" differs from 5 even where both give the same quad); jsonld.js compares with ===. Where
        # the two would differ, leave the document to the general path.
        out, seen = self.out, self.seen
        if plan.types:
            done = seen.get((subject, RDF_TYPE))
            if done is None:
                done = seen[(subject, RDF_TYPE)] = set()
            for type_term in plan.types:
                if type_term not in done:
                    done.add(type_term)
                    out.append((subject, RDF_TYPE, type_term, None))
        for key, predicate, term_ctx, datatype in plan.props:
            value = element[key]
            done = seen.get((subject, predicate))
            if done is None:
                done = seen[(subject, predicate)] = set()
            for item in value if isinstance(value, list) else (value,):
                if isinstance(item, dict):
                    obj = self.node(term_ctx, key, item)
                    assert obj is not None  # only a top-level node is dropped
                    if obj[0] == "B":
                        out.append((subject, predicate, obj, None))
                        continue
                    loose = obj
                else:
                    obj, loose = _scalar(term_ctx, datatype, item)
                exact = obj in done
                if exact != (loose in done):
                    raise _Unsupported
                if not exact:
                    done.add(obj)
                    done.add(loose)
                    out.append((subject, predicate, obj, None))
        return subject


def _type_names(value: Any) -> tuple[str, ...]:
    names = value if isinstance(value, list) else [value]
    if not all(isinstance(n, str) for n in names):
        raise _Unsupported
    return tuple(names)


def _scalar(ctx: Any, datatype: Any, item: Any) -> tuple[Term, Any]:
    """The object term of a non-object value and pyld's idea of its identity (pyld ``_expand_value``)."""
    if isinstance(item, str):
        if datatype is None:
            return ("L", item, XSD_STRING, None), ("P", item, None)
        if datatype == "@id":
            term = ("I", _node_iri(ctx, item, vocab=False))
            return term, term
        if datatype == "@vocab":
            term = ("I", _node_iri(ctx, item, vocab=True))
            return term, term
        if datatype == XSD_DOUBLE:
            raise _Unsupported
        return ("L", item, datatype, None), ("P", item, datatype)
    if item is None or isinstance(item, list | float):
        raise _Unsupported
    if datatype in ("@id", "@vocab"):
        datatype = None
    loose = ("P", item, datatype)
    if isinstance(item, bool):
        return ("L", "true" if item else "false", datatype or XSD_BOOLEAN, None), loose
    if isinstance(item, int) and datatype != XSD_DOUBLE and abs(item) < 10**21:
        return ("L", str(item), datatype or XSD_INTEGER, None), loose
    raise _Unsupported
