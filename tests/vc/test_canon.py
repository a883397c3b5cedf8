"""RDFC-1.0 canonicalization: published vectors, rdf-canonize's escaping and order, safe mode, limits."""

from __future__ import annotations

import hashlib
import json

import pytest

from credstack.vc import canon, rdfc
from credstack.vc.errors import (
    CanonicalizationLimitError,
    DocumentError,
    DocumentTooLargeError,
    UndefinedTermError,
    UnsafeDocumentError,
)

from .helpers import VECTORS, load, typical_credential

OB = VECTORS / "1edtech-ob3" / "obv3p0"
CLR = VECTORS / "1edtech-ob3" / "clrv2p0"
W3C = VECTORS / "w3c-vc-di-eddsa" / "eddsa-rdfc-2022"
V2, OB3 = "https://www.w3.org/ns/credentials/v2", "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def named(name) -> dict:
    doc = typical_credential("did:key:z6MknNQD1WHLGGraFi6zcbGevuAgkVfdyCdtZnQTGWVVvR5Q")
    doc["name"] = name
    return doc


# ---------------------------------------------------------------- published vectors


def test_1edtech_open_badge_vector():
    vector = load(OB / "vector.json")
    document = canon.canonicalize(vector["credential"])
    proof_config = canon.canonicalize({"@context": vector["credential"]["@context"], **vector["proofConfig"]})
    assert document == (OB / "document-canon.txt").read_text()
    assert proof_config == (OB / "proof-canon.txt").read_text()
    assert sha256(document) == vector["documentHashHex"]
    assert sha256(proof_config) == vector["proofHashHex"]


def test_1edtech_clr_vector():
    credential = load(CLR / "credential.reconstructed.json")
    proof_config = load(OB / "vector.json")["proofConfig"]
    assert canon.canonicalize(credential) == (CLR / "document-canon.txt").read_text()
    assert (
        canon.canonicalize({"@context": credential["@context"], **proof_config})
        == (CLR / "proof-canon.txt").read_text()
    )


def test_w3c_eddsa_rdfc_2022_vector(examples_context):
    unsigned = load(VECTORS / "w3c-vc-di-eddsa" / "unsigned.json")
    document = canon.canonicalize(unsigned)
    proof_config = canon.canonicalize(load(W3C / "proofConfigDataInt.json"))
    assert document == (W3C / "canonDocDataInt.txt").read_text()
    assert proof_config == (W3C / "proofCanonDataInt.txt").read_text()
    assert sha256(document) == (W3C / "docHashDataInt.txt").read_text().strip()
    assert sha256(proof_config) == (W3C / "proofHashDataInt.txt").read_text().strip()
    assert sha256(proof_config) + sha256(document) == (W3C / "combinedHashDataInt.txt").read_text().strip()


# ---------------------------------------------------------------- N-Quads as rdf-canonize writes them

# rdf-canonize 5 (lib/NQuads.js): \b \t \n \f \r \" \\ as ECHAR, other U+0000-U+001F and U+007F as \uXXXX.
LITERAL_ESCAPES = {chr(n): f"\\u{n:04X}" for n in [*range(0x20), 0x7F]} | {
    "\b": "\\b",
    "\t": "\\t",
    "\n": "\\n",
    "\f": "\\f",
    "\r": "\\r",
    '"': '\\"',
    "\\": "\\\\",
}


@pytest.mark.parametrize("char", sorted(LITERAL_ESCAPES))
def test_literal_escaping_matches_rdf_canonize(char):
    assert rdfc.escape_literal(f"a{char}b") == f"a{LITERAL_ESCAPES[char]}b"
    assert f'<https://schema.org/name> "a{LITERAL_ESCAPES[char]}b" .\n' in canon.canonicalize(
        named(f"a{char}b")
    )


def test_no_other_character_below_u0100_is_escaped():
    for n in range(0x100):
        assert rdfc.escape_literal(chr(n)) == LITERAL_ESCAPES.get(chr(n), chr(n))


@pytest.mark.parametrize("text", ["\u0080\u0085\u00a0", "\u2028\u2029", "\ufeff", "é中文😀", "'", "\\u0000"])
def test_other_characters_are_written_as_they_are(text):
    assert rdfc.escape_literal(text) == text.replace("\\", "\\\\")


def test_iri_escaping_matches_rdf_canonize():
    assert (
        rdfc.escape_iri('https://x/a{b}<c>|^`"\\')
        == "https://x/a\\u007Bb\\u007D\\u003Cc\\u003E\\u007C\\u005E\\u0060\\u0022\\u005C"
    )
    doc = typical_credential("did:key:z6MknNQD1WHLGGraFi6zcbGevuAgkVfdyCdtZnQTGWVVvR5Q")
    doc["credentialSubject"]["achievement"]["image"] = {"id": "https://x/a{b}", "type": "Image"}
    assert "<https://x/a\\u007Bb\\u007D>" in canon.canonicalize(doc)


def test_lines_sort_by_utf16_code_units_as_in_javascript():
    # U+1F600 is D83D DE00 in UTF-16, so it sorts before U+FF01 in JavaScript (not in code point order).
    lines = canon.canonicalize(named(["\uff01", "\U0001f600"])).splitlines()
    names = [line for line in lines if "schema.org/name" in line and "https://academy.example/c/" in line]
    assert names == [
        f'<https://academy.example/c/bq_Uct3XjgcWGzBrXG2N4A> <https://schema.org/name> "{t}" .'
        for t in ("\U0001f600", "\uff01")
    ]


def test_a_quad_with_a_blank_node_twice_counts_once():
    # rdf-canonize keeps a blank node's quads in a set; a self-reference must not be hashed twice.
    doc = {
        "@context": {"p": {"@id": "https://example.org/p", "@type": "@id"}, "q": "https://example.org/q"},
        "@id": "_:x",
        "p": "_:x",
        "q": "v",
    }
    assert canon.canonicalize(doc) == (
        '_:c14n0 <https://example.org/p> _:c14n0 .\n_:c14n0 <https://example.org/q> "v" .\n'
    )


# ---------------------------------------------------------------- JSON numbers as JavaScript reads them


@pytest.mark.parametrize(
    ("value", "lexical", "datatype"),
    [
        (5, "5", "integer"),
        (5.0, "5", "integer"),
        (-0.0, "0", "integer"),
        (1e-7, "0", "integer"),
        (-1e-7, "-0", "integer"),
        (1.5e-7, "1.5E-7", "double"),
        (5.5, "5.5E0", "double"),
        (0.1, "1.0E-1", "double"),
        (1e21, "1.0E21", "double"),
        (10**21, "1.0E21", "double"),
        (2**53 + 1, "9007199254740992", "integer"),
        (1234567890123456.5, "1.234567890123457E15", "double"),  # toExponential rounds ties up
    ],
)
def test_numbers_follow_jsonld_js(value, lexical, datatype, examples_context):
    doc = {
        "@context": [V2, "https://www.w3.org/ns/credentials/examples/v2"],
        "type": "VerifiableCredential",
        "issuer": "did:example:1",
        "credentialSubject": {"id": "did:example:2", "n": value},
    }
    assert f'"{lexical}"^^<http://www.w3.org/2001/XMLSchema#{datatype}>' in canon.canonicalize(doc)


def test_number_typed_terms_keep_their_datatype():
    doc = typical_credential("did:key:z6MknNQD1WHLGGraFi6zcbGevuAgkVfdyCdtZnQTGWVVvR5Q")
    doc["credentialSubject"]["creditsEarned"] = 3
    assert '"3"^^<https://www.w3.org/2001/XMLSchema#float>' in canon.canonicalize(doc)
    doc["credentialSubject"]["creditsEarned"] = 3.5
    assert '"3.5E0"^^<https://www.w3.org/2001/XMLSchema#float>' in canon.canonicalize(doc)


def test_text_direction_uses_the_i18n_datatype_and_is_refused_without_it():
    doc = named({"@value": "مرحبا", "@language": "AR", "@direction": "rtl"})
    assert '"مرحبا"^^<https://www.w3.org/ns/i18n#ar_rtl>' in canon.canonicalize(doc)
    with pytest.raises(UnsafeDocumentError, match="direction"):
        canon.canonicalize(doc, rdf_direction=None)


# ---------------------------------------------------------------- safe mode


@pytest.mark.parametrize(
    ("change", "error", "words"),
    [
        (lambda d: d.__setitem__("nickname", "x"), UndefinedTermError, "'nickname' at nickname"),
        (
            lambda d: d["credentialSubject"]["achievement"].__setitem__("level", 3),
            UndefinedTermError,
            "credentialSubject.achievement.level",
        ),
        (lambda d: d.__setitem__("@foo", "x"), UndefinedTermError, "@foo"),
        (
            lambda d: d.__setitem__("id", 5),
            UnsafeDocumentError,
            'invalid @id value: Invalid JSON-LD syntax; "@id"',
        ),
        (
            lambda d: d.__setitem__("type", ["VerifiableCredential", "Diploma"]),
            UndefinedTermError,
            "the type 'Diploma' is not defined",
        ),
        (
            lambda d: d.__setitem__("id", "credentials/1"),
            UnsafeDocumentError,
            "'credentials/1' is not an absolute IRI",
        ),
        (lambda d: d["issuer"].__setitem__("image", "logo.png"), UnsafeDocumentError, "'logo.png'"),
        (lambda d: d["issuer"].__setitem__("id", "https://x/a b"), UnsafeDocumentError, "https://x/a b"),
        (
            lambda d: d["issuer"].__setitem__("id", "https://x/\ufeff"),
            UnsafeDocumentError,
            "not an absolute IRI",
        ),
        (lambda d: d.__setitem__("name", {"@language": "en"}), UnsafeDocumentError, "would be dropped"),
        (lambda d: d.__setitem__("name", {"@value": None}), UnsafeDocumentError, "would be dropped"),
        (
            lambda d: d.__setitem__("name", {"@value": "x", "@language": "not a tag"}),
            UnsafeDocumentError,
            "BCP 47",
        ),
        (
            lambda d: d.__setitem__("@context", [V2, OB3, {"p": {"@id": "_:p"}}]) or d.__setitem__("p", 1),
            UnsafeDocumentError,
            "blank node",
        ),
        (
            lambda d: (
                d.__setitem__("@context", [V2, OB3, {"g": {"@id": "https://e/g", "@container": "@graph"}}])
                or d.__setitem__("g", {"id": "urn:x"})
            ),
            UnsafeDocumentError,
            "graph container",
        ),
    ],
)
def test_unsafe_documents_are_refused_naming_the_problem(change, error, words):
    doc = typical_credential("did:key:z6MknNQD1WHLGGraFi6zcbGevuAgkVfdyCdtZnQTGWVVvR5Q")
    canon.canonicalize(doc)
    change(doc)
    with pytest.raises(error) as info:
        canon.canonicalize(doc)
    assert words in str(info.value)


def test_free_floating_values_are_refused():
    with pytest.raises(UnsafeDocumentError, match="'loose'"):
        canon.canonicalize({"@context": [V2, OB3], "@graph": [named("x"), "loose"]})


@pytest.mark.parametrize("value", [float("nan"), float("inf"), "\ud800", object(), {1: "x"}])
def test_non_json_values_are_refused(value):
    with pytest.raises(DocumentError):
        canon.canonicalize(named(value))


# ---------------------------------------------------------------- limits


def test_oversized_documents_are_refused_before_processing():
    doc = named("x" * (canon.MAX_DOCUMENT_BYTES + 1))
    with pytest.raises(DocumentTooLargeError, match="larger than"):
        canon.canonicalize(doc)


def test_deeply_nested_documents_are_refused():
    deep: dict = {"name": "leaf"}
    for _ in range(canon.MAX_DEPTH):
        deep = {"type": "Evidence", "evidence": [deep]}
    with pytest.raises(DocumentTooLargeError, match="deeper than"):
        canon.canonicalize(named(deep))


def poison_graph(clique: int, cliques: int) -> dict:
    """Blank nodes in symmetric cliques: every node looks like every other one to RDFC-1.0."""
    nodes = []
    for c in range(cliques):
        ids = [f"_:c{c}n{i}" for i in range(clique)]
        nodes += [{"@id": i, "p": [j for j in ids if j != i]} for i in ids]
    return {"@context": {"p": {"@id": "https://example.org/p", "@type": "@id"}}, "@graph": nodes}


@pytest.mark.parametrize(("clique", "cliques"), [(2, 1), (6, 1), (4, 12), (30, 1)])
def test_poison_graphs_are_refused(clique, cliques):
    # Without the limit, the 30-node clique alone would keep RDFC-1.0 busy for longer than the universe's age:
    # reaching the error at all is the proof that it is refused before the work starts.
    doc = poison_graph(clique, cliques)
    with pytest.raises(CanonicalizationLimitError, match="poison graph"):
        canon.canonicalize(doc)


def test_repeated_anonymous_objects_within_the_cap_still_canonicalize():
    doc = typical_credential("did:key:z6MknNQD1WHLGGraFi6zcbGevuAgkVfdyCdtZnQTGWVVvR5Q")
    doc["credentialSubject"]["achievement"]["alignment"] = [
        {"type": ["Alignment"], "targetName": "Same", "targetUrl": "https://example.org/same"}
    ] * 3
    assert canon.canonicalize(doc).count("vocab.html#alignment> _:c14n") == 3  # three blank nodes


def test_canonical_form_is_independent_of_key_order():
    doc = typical_credential("did:key:z6MknNQD1WHLGGraFi6zcbGevuAgkVfdyCdtZnQTGWVVvR5Q")
    reordered = json.loads(json.dumps(doc), object_pairs_hook=lambda pairs: dict(reversed(pairs)))
    assert canon.canonicalize(reordered) == canon.canonicalize(doc)
