"""RDFC-1.0 canonicalization of an RDF dataset into canonical N-Quads.

A line-for-line port of Digital Bazaar's rdf-canonize 5.x (``RDFC10Sync.js``, ``NQuads.js``,
``Permuter.js``, ``IdentifierIssuer.js``), the implementation behind jsonld.js and most wallets, so that
what we sign is byte for byte what they verify:

- N-Quads escaping: in literals ``\\b \\t \\n \\f \\r \\" \\\\`` as ECHAR and every other U+0000–U+001F
  and U+007F as ``\\uXXXX`` (uppercase hex); in IRIs U+0000–U+0020 and ``<>"{}|^`\\`` as ``\\uXXXX``.
- Sorting compares UTF-16 code units, as JavaScript's ``Array.prototype.sort`` does.
- A blank node's quads are a set (a quad naming it twice counts once).
- Work is capped like rdf-canonize's ``maxWorkFactor`` (default 1): at most *n* calls of Hash N-Degree
  Quads, *n* being the number of blank nodes whose first-degree hashes are not unique. A crafted
  "poison graph" fails fast with :class:`~credstack.vc.errors.CanonicalizationLimitError` instead of
  running for minutes.

Terms are tuples: ``("I", iri)``, ``("B", label)``, ``("L", value, datatype, language)``; a quad is
``(subject, predicate_iri, object, graph)`` with ``graph`` None for the default graph.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache
from typing import Any

from credstack.vc.errors import CanonicalizationLimitError

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"

Term = tuple[Any, ...]
Quad = tuple[Term, str, Term, Term | None]

_LITERAL_ESCAPES = {n: f"\\u{n:04X}" for n in [*range(0x20), 0x7F]}
_LITERAL_ESCAPES.update(
    {
        ord("\b"): "\\b",
        ord("\t"): "\\t",
        ord("\n"): "\\n",
        ord("\f"): "\\f",
        ord("\r"): "\\r",
        ord('"'): '\\"',
        ord("\\"): "\\\\",
    }
)
_IRI_ESCAPES = {n: f"\\u{n:04X}" for n in [*range(0x21), *map(ord, '<>"{}|^`\\')]}


_NEEDS_LITERAL_ESCAPE = re.compile(r'[\x00-\x1f\x7f"\\]')
_NEEDS_IRI_ESCAPE = re.compile(r'[\x00-\x20<>"{}|^`\\]')


def escape_literal(value: str) -> str:
    """Escape a literal's lexical form for canonical N-Quads (as rdf-canonize does)."""
    return value.translate(_LITERAL_ESCAPES) if _NEEDS_LITERAL_ESCAPE.search(value) else value


def escape_iri(value: str) -> str:
    """Escape an IRI for N-Quads (as rdf-canonize does)."""
    return value.translate(_IRI_ESCAPES) if _NEEDS_IRI_ESCAPE.search(value) else value


def _js_order(line: str) -> bytes:
    # UTF-16BE bytes compare like JavaScript strings: by UTF-16 code unit.
    return line.encode("utf-16-be")


def _term(term: Term) -> str:
    text = _text(term)
    return f"_:{term[1]}" if text is None else text


def serialize_quad(subject: Term, predicate: str, obj: Term, graph: Term | None) -> str:
    """One N-Quads line, newline included."""
    line = f"{_term(subject)} <{escape_iri(predicate)}> {_term(obj)}"
    if graph is not None:
        line += f" {_term(graph)}"
    return line + " .\n"


@lru_cache(maxsize=8192)
def _iri_text(iri: str) -> str:
    return f"<{escape_iri(iri)}>"


def _text(term: Term | None) -> str | None:
    """A term as N-Quads, None for a blank node (its label is written later)."""
    if term is None:
        return ""
    kind = term[0]
    if kind == "I":
        return _iri_text(term[1])
    if kind == "B":
        return None
    _, value, datatype, language = term
    if datatype == XSD_STRING:
        return f'"{escape_literal(value)}"'
    if datatype == RDF_LANGSTRING and language:
        return f'"{escape_literal(value)}"@{language}'
    if datatype == RDF_LANGSTRING:
        return f'"{escape_literal(value)}"'
    return f'"{escape_literal(value)}"^^{_iri_text(datatype)}'


_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


def _hasher(algorithm: str) -> Callable[[], Any]:
    """A new-hash function: RDFC-1.0 uses SHA-256 unless told otherwise (ecdsa-rdfc-2019 with a P-384
    key asks for SHA-384)."""
    if algorithm == "sha256":
        return hashlib.sha256
    if algorithm == "sha384":
        return hashlib.sha384
    raise ValueError(f"RDFC-1.0 hash algorithm {algorithm!r} is not supported (sha256, sha384)")


class _Issuer:
    """Issues identifiers ``prefix0, prefix1, ...`` to blank node labels, remembering the order."""

    __slots__ = ("counter", "existing", "prefix")

    def __init__(self, prefix: str, existing: dict[str, str] | None = None, counter: int = 0) -> None:
        self.prefix = prefix
        self.existing = {} if existing is None else existing
        self.counter = counter

    def clone(self) -> _Issuer:
        return _Issuer(self.prefix, dict(self.existing), self.counter)

    def get(self, old: str) -> str:
        issued = self.existing.get(old)
        if issued is None:
            issued = self.existing[old] = f"{self.prefix}{self.counter}"
            self.counter += 1
        return issued


def _permutations(items: list[str]) -> Iterable[list[str]]:
    """Permutations in rdf-canonize's order (Steinhaus–Johnson–Trotter from the sorted list)."""
    current = sorted(items)
    left = dict.fromkeys(current, True)
    length = len(current)
    while True:
        yield current[:]
        k, pos = None, 0
        for i, element in enumerate(current):
            if (k is None or element > k) and (
                (left[element] and i > 0 and element > current[i - 1])
                or (not left[element] and i < length - 1 and element > current[i + 1])
            ):
                k, pos = element, i
        if k is None:
            return
        swap = pos - 1 if left[k] else pos + 1
        current[pos], current[swap] = current[swap], k
        for element in current:
            if element > k:
                left[element] = not left[element]


class _Canonicalizer:
    def __init__(self, quads: Sequence[Quad], max_work_factor: int, hash_algorithm: str = "sha256") -> None:
        self.new_hash = _hasher(hash_algorithm)
        self.quads = quads
        self.max_work_factor = max_work_factor
        self.canonical = _Issuer("c14n")
        self.info: dict[str, list[int]] = {}  # blank node label -> indexes of the quads naming it
        self.first_degree: dict[str, str] = {}
        self.remaining = 0
        self.max_deep = 0
        # each quad's terms written once, blank nodes left out (None) to be named per use
        self.texts = [(_text(s), _iri_text(p), _text(o), _text(g)) for s, p, o, g in quads]
        # JavaScript sorts by UTF-16 code unit, which differs from code point order only past U+FFFF
        astral = _ASTRAL.search("".join(t for parts in self.texts for t in parts if t))
        self.order: Callable[[str], Any] | None = _js_order if astral else None

    def _line(self, index: int, name: Callable[[str], str]) -> str:
        subject, _, obj, graph = self.quads[index]
        s, p, o, g = self.texts[index]
        if s is None:
            s = "_:" + name(subject[1])
        if o is None:
            o = "_:" + name(obj[1])
        if graph is None:
            return f"{s} {p} {o} .\n"
        if g is None:
            g = "_:" + name(graph[1])
        return f"{s} {p} {o} {g} .\n"

    def run(self) -> str:
        for index, (subject, _, obj, graph) in enumerate(self.quads):
            for term in (subject, obj, graph):
                if term is not None and term[0] == "B":
                    indexes = self.info.setdefault(term[1], [])
                    if not indexes or indexes[-1] != index:
                        indexes.append(index)

        hash_to_nodes: dict[str, list[str]] = {}
        for label in self.info:
            hash_to_nodes.setdefault(self._hash_first_degree(label), []).append(label)

        non_unique = []
        for digest in sorted(hash_to_nodes):
            labels = hash_to_nodes[digest]
            if len(labels) > 1:
                non_unique.append(labels)
            else:
                self.canonical.get(labels[0])

        self.max_deep = sum(len(labels) for labels in non_unique) ** self.max_work_factor
        self.remaining = self.max_deep
        for labels in non_unique:
            results = []
            for label in labels:
                if label in self.canonical.existing:
                    continue
                issuer = _Issuer("b")
                issuer.get(label)
                results.append(self._hash_n_degree(label, issuer))
            results.sort(key=lambda result: result[0])
            for _, issuer in results:
                for old in issuer.existing:
                    self.canonical.get(old)

        name = self.canonical.existing.__getitem__
        lines = [self._line(index, name) for index in range(len(self.quads))]
        return "".join(sorted(lines, key=self.order))

    def _digest(self, *parts: str) -> str:
        md = self.new_hash()
        for part in parts:
            md.update(part.encode("utf-8"))
        return str(md.hexdigest())

    def _hash_first_degree(self, label: str) -> str:
        def mark(other: str) -> str:
            return "a" if other == label else "z"

        lines = sorted((self._line(index, mark) for index in self.info[label]), key=self.order)
        digest = self.first_degree[label] = self._digest(*lines)
        return digest

    def _hash_related(self, related: str, predicate: str, issuer: _Issuer, position: str) -> str:
        if related in self.canonical.existing:
            identifier = "_:" + self.canonical.existing[related]
        elif related in issuer.existing:
            identifier = "_:" + issuer.existing[related]
        else:
            identifier = self.first_degree[related]
        if position == "g":
            return self._digest(position, identifier)
        return self._digest(position, f"<{predicate}>", identifier)

    def _hash_to_related(self, label: str, issuer: _Issuer) -> dict[str, list[str]]:
        hash_to_related: dict[str, list[str]] = {}
        for index in self.info[label]:
            subject, predicate, obj, graph = self.quads[index]
            for term, position in ((subject, "s"), (obj, "o"), (graph, "g")):
                if term is not None and term[0] == "B" and term[1] != label:
                    digest = self._hash_related(term[1], predicate, issuer, position)
                    hash_to_related.setdefault(digest, []).append(term[1])
        return hash_to_related

    def _hash_n_degree(self, label: str, issuer: _Issuer) -> tuple[str, _Issuer]:
        if self.remaining == 0:
            raise CanonicalizationLimitError(
                f"canonicalizing this document needs more than {self.max_deep} deep iterations of "
                "RDFC-1.0 (its blank nodes are too alike, as in a crafted 'poison graph'); give the "
                "repeated anonymous objects an 'id' or make them differ",
                code="format.poison-graph",
                limit=self.max_deep,
            )
        self.remaining -= 1
        hash_to_related = self._hash_to_related(label, issuer)
        md = self.new_hash()
        for digest in sorted(hash_to_related):
            md.update(digest.encode())
            chosen_path, chosen_issuer = "", None
            for permutation in _permutations(hash_to_related[digest]):
                path, issuer_copy = self._try_permutation(permutation, issuer, chosen_path)
                if path is not None and (not chosen_path or path < chosen_path):
                    chosen_path, chosen_issuer = path, issuer_copy
            md.update(chosen_path.encode())
            assert chosen_issuer is not None  # the first permutation always gives a path
            issuer = chosen_issuer
        return md.hexdigest(), issuer

    def _try_permutation(
        self, permutation: list[str], issuer: _Issuer, chosen_path: str
    ) -> tuple[str | None, _Issuer]:
        """Path for one permutation, or None once it is known to be worse than ``chosen_path``."""
        issuer_copy = issuer.clone()
        path = ""
        recursion = []
        for related in permutation:
            if related in self.canonical.existing:
                path += "_:" + self.canonical.existing[related]
            else:
                if related not in issuer_copy.existing:
                    recursion.append(related)
                path += "_:" + issuer_copy.get(related)
            if chosen_path and path > chosen_path:
                return None, issuer_copy
        for related in recursion:
            digest, result_issuer = self._hash_n_degree(related, issuer_copy)
            path += f"_:{issuer_copy.get(related)}<{digest}>"
            issuer_copy = result_issuer
            if chosen_path and path > chosen_path:
                return None, issuer_copy
        return path, issuer_copy


def canonicalize(quads: Sequence[Quad], max_work_factor: int = 1, hash_algorithm: str = "sha256") -> str:
    """RDFC-1.0 canonical N-Quads of ``quads`` (blank nodes relabelled ``_:c14n0``, ...), with
    ``hash_algorithm`` (``sha256``, the default, or ``sha384``) as its hash.

    Raises CanonicalizationLimitError when the work cap is reached.
    """
    return _Canonicalizer(quads, max_work_factor, hash_algorithm).run()


def canonicalize_with_labels(
    quads: Sequence[Quad], max_work_factor: int = 1, hash_algorithm: str = "sha256"
) -> tuple[str, dict[str, str]]:
    """:func:`canonicalize`, and the canonical label (``c14n0``, ...) given to each input blank node label
    (rdf-canonize's ``canonicalIdMap``, which ecdsa-sd-2023 needs)."""
    canonicalizer = _Canonicalizer(quads, max_work_factor, hash_algorithm)
    text = canonicalizer.run()
    return text, dict(canonicalizer.canonical.existing)
