"""The fast path for known shapes (credstack.vc.shapes) against pyld's general path: byte-identical.

Generated credentials in every script, status list credentials and proof configurations must take the
fast path and give exactly the canonical N-Quads of the general path; the published vectors must come out
as published either way; documents outside the subset must fall back (and still be refused where the
general path refuses them). jsonld.js is held to the same output in tests/interop/test_canon_interop.py.
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyld import jsonld

from credstack.vc import canon, contexts, keys, proofs, shapes, status
from credstack.vc.errors import DocumentError, UndefinedTermError, UnsafeDocumentError

from .helpers import DCC, VECTORS, load, typical_credential
from .strategies import PHRASES, credentials, text, urls

OB = VECTORS / "1edtech-ob3" / "obv3p0"
CLR = VECTORS / "1edtech-ob3" / "clrv2p0"
W3C = VECTORS / "w3c-vc-di-eddsa" / "eddsa-rdfc-2022"
V2, OB3 = contexts.VC_V2, contexts.OB_V3
ISSUER = "did:key:z6MknNQD1WHLGGraFi6zcbGevuAgkVfdyCdtZnQTGWVVvR5Q"


def fast_path_takes(doc: dict) -> bool:
    return (
        shapes.quads(canon.js_json(doc), jsonld.JsonLdProcessor()._process_context, shapes.options())
        is not None
    )


def both(doc: dict) -> str:
    """The canonical form by both paths, asserted equal."""
    general = canon.canonicalize(doc, fast=False)
    fast = canon.canonicalize(doc)
    assert fast == general
    return fast


# ---------------------------------------------------------------- generated credentials


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(credentials())
def test_generated_credentials_take_the_fast_path_and_match_pyld(doc):
    assert fast_path_takes(doc)
    both(doc)


@settings(max_examples=60, deadline=None)
@given(credentials(), st.sampled_from([None, "2025-06-01T00:00:00Z"]))
def test_signing_a_generated_credential_gives_the_proof_of_the_general_path(doc, created):
    key = keys.Ed25519Key.from_private_bytes(bytes(range(32)))
    when = created or "2026-01-01T00:00:00Z"
    signed = proofs.sign(doc, key, ISSUER + "#key-1", created=when)
    config = {"@context": doc["@context"], **{k: v for k, v in signed["proof"].items() if k != "proofValue"}}
    data = canon.canonical_hash(config, fast=False) + canon.canonical_hash(doc, fast=False)
    assert keys.verify_signature(
        key.public_bytes(), keys.multibase_decode(signed["proof"]["proofValue"]), data
    )


@settings(max_examples=40, deadline=None)
@given(urls(), st.sampled_from(status.PURPOSES), st.binary(min_size=1, max_size=64))
def test_status_list_credentials_take_the_fast_path(url, purpose, bits):
    doc = status.list_credential(
        url,
        ISSUER,
        purpose,
        status.StatusBits.from_bytes(bits.ljust(16 * 1024, b"\0")).encode(),
        datetime(2026, 1, 1, tzinfo=UTC),
    )
    assert fast_path_takes(doc)
    both(doc)


@pytest.mark.parametrize("purpose", ["assertionMethod", "authentication", "capabilityInvocation"])
@pytest.mark.parametrize(
    "context", [[V2, OB3], [V2], [V2, "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json", OB3]]
)
def test_proof_configurations_take_the_fast_path(purpose, context):
    config = {
        "@context": context,
        "type": "DataIntegrityProof",
        "cryptosuite": "eddsa-rdfc-2022",
        "created": "2026-01-01T00:00:00Z",
        "verificationMethod": ISSUER + "#key-1",
        "proofPurpose": purpose,
    }
    assert fast_path_takes(config)
    assert "<https://w3id.org/security#" + purpose.replace("Invocation", "InvocationMethod") in both(config)


def test_names_in_every_script_reach_the_canonical_form_unchanged():
    doc = typical_credential(ISSUER)
    for phrase in PHRASES:
        if not any(c in phrase for c in '\t\n\r"\\'):
            doc["name"] = phrase
            assert f'"{phrase}"' in both(doc)


# ---------------------------------------------------------------- published vectors


def test_published_vectors_come_out_as_published_by_both_paths(examples_context):
    vector = load(OB / "vector.json")
    credential = vector["credential"]
    assert both(credential) == (OB / "document-canon.txt").read_text()
    assert (
        both({"@context": credential["@context"], **vector["proofConfig"]})
        == (OB / "proof-canon.txt").read_text()
    )
    clr = load(CLR / "credential.reconstructed.json")
    assert both(clr) == (CLR / "document-canon.txt").read_text()
    assert (
        both(load(VECTORS / "w3c-vc-di-eddsa" / "unsigned.json")) == (W3C / "canonDocDataInt.txt").read_text()
    )
    assert both(load(W3C / "proofConfigDataInt.json")) == (W3C / "proofCanonDataInt.txt").read_text()
    # the Open Badges vector is a credential of a known shape: the fast path produced it
    assert fast_path_takes(credential)


DCC_DOCUMENTS = sorted(p for p in DCC.rglob("*.json") if "@context" in load(p))


@pytest.mark.parametrize("path", DCC_DOCUMENTS, ids=[p.stem for p in DCC_DOCUMENTS])
def test_real_world_credentials_canonicalize_alike_by_both_paths(path):
    """The Digital Credentials Consortium's signed credentials, DID documents and status lists."""
    doc = {k: v for k, v in load(path).items() if k != "proof"}
    try:
        general = canon.canonicalize(doc, fast=False)
    except DocumentError as exc:
        with pytest.raises(type(exc)):
            canon.canonicalize(doc)
    else:
        assert canon.canonicalize(doc) == general


def test_most_real_world_credentials_take_the_fast_path():
    taken = [
        p.name for p in DCC_DOCUMENTS if fast_path_takes({k: v for k, v in load(p).items() if k != "proof"})
    ]
    assert len(taken) >= len(DCC_DOCUMENTS) * 3 // 4, taken


# ---------------------------------------------------------------- outside the subset: the general path


def _outside() -> list[tuple[str, dict]]:
    base = typical_credential(ISSUER)
    cases = []

    def case(name, change):
        doc = copy.deepcopy(base)
        change(doc)
        cases.append((name, doc))

    case(
        "nested @context",
        lambda d: d["credentialSubject"].update({"@context": {"x": "https://ex.org/x"}, "x": 1}),
    )
    case("a float", lambda d: d["credentialSubject"].update({"result": [{"type": ["Result"], "value": 1.5}]}))
    case("a value object", lambda d: d.update({"name": {"@value": "n", "@language": "en"}}))
    case(
        "an @list container",
        lambda d: d["credentialSubject"]["achievement"].update(
            {
                "resultDescription": [
                    {
                        "type": ["ResultDescription"],
                        "id": "urn:x:1",
                        "name": "n",
                        "resultType": "Status",
                        "allowedValue": ["a", "b"],
                    }
                ]
            }
        ),
    )
    case(
        "true and 1 as values of one property (equal in Python, not in JavaScript)",
        lambda d: d["credentialSubject"]["identifier"][0].update({"hashed": [True, 1]}),
    )
    case(
        "rdf:type as a key",
        lambda d: d.update({"http://www.w3.org/1999/02/22-rdf-syntax-ns#type": {"id": "urn:x:t"}}),
    )
    case("a null value", lambda d: d.update({"description": None}))
    case("a blank node id", lambda d: d["credentialSubject"].update({"id": "_:b7"}))
    case("a nested array", lambda d: d["credentialSubject"]["achievement"].update({"tag": [["a"], "b"]}))
    case("a JSON literal", lambda d: d.update({"_sd": ["x"]}))
    case("an empty object", lambda d: d["credentialSubject"].update({"result": [{}]}))
    return cases


@pytest.mark.parametrize(("name", "doc"), _outside(), ids=[n for n, _ in _outside()])
def test_documents_outside_the_subset_take_the_general_path(name, doc):
    assert not fast_path_takes(doc), name
    try:
        general = canon.canonicalize(doc, fast=False)
    except DocumentError as exc:
        with pytest.raises(type(exc)):
            canon.canonicalize(doc)
    else:
        assert canon.canonicalize(doc) == general


@pytest.mark.parametrize(
    ("change", "error"),
    [
        (lambda d: d.update({"nickname": "x"}), UndefinedTermError),
        (
            lambda d: d["credentialSubject"]["achievement"].update({"id": "relative/path"}),
            UnsafeDocumentError,
        ),
        (
            lambda d: d["credentialSubject"]["achievement"].update(
                {"image": {"id": "logo.png", "type": "Image"}}
            ),
            UnsafeDocumentError,
        ),
        (lambda d: d.update({"type": ["VerifiableCredential", "NoSuchType"]}), UndefinedTermError),
        (lambda d: d.update({"@nope": 1}), UndefinedTermError),
    ],
)
def test_documents_the_general_path_refuses_are_refused_with_its_error(change, error):
    doc = typical_credential(ISSUER)
    change(doc)
    assert not fast_path_takes(doc)
    with pytest.raises(error):
        canon.canonicalize(doc)


def test_one_node_written_twice_is_merged_as_pyld_merges_it():
    doc = typical_credential(ISSUER)
    achievement = doc["credentialSubject"]["achievement"]
    doc["issuer"]["image"] = dict(achievement["image"])  # the logo is also the badge image
    twin = {**achievement, "tag": ["python", "another"], "name": "Python Basics"}
    doc["credentialSubject"]["achievement"] = [achievement, twin]
    achievement["tag"] = ["python", "python", "programming"]
    assert fast_path_takes(doc)
    canonical = both(doc)
    assert canonical.count('<https://schema.org/keywords> "python"') == 1


def test_an_absolute_iri_as_a_key_is_handled_and_matches():
    doc = typical_credential(ISSUER)
    doc["https://schema.org/keywords"] = "k"
    assert fast_path_takes(doc)
    assert '<https://schema.org/keywords> "k"' in both(doc)


def test_a_context_registered_at_run_time_is_followed_by_the_fast_path():
    url = "https://example.org/shapes-test/v1"
    doc = {
        "@context": [V2, url],
        "type": ["VerifiableCredential"],
        "issuer": ISSUER,
        "credentialSubject": {"thing": "x"},
    }
    try:
        contexts.register(url, {"@context": {"thing": "https://example.org/one#thing"}}, "test")
        assert "<https://example.org/one#thing>" in both(doc)
        contexts.register(url, {"@context": {"thing": "https://example.org/two#thing"}}, "test")
        assert "<https://example.org/two#thing>" in both(doc)
    finally:
        contexts.unregister(url)


@settings(max_examples=100, deadline=None)
@given(text)
def test_any_text_as_an_undefined_key_is_refused_or_canonicalized_as_by_pyld(key):
    doc = typical_credential(ISSUER)
    doc["credentialSubject"][key] = "v"
    try:
        general = canon.canonicalize(doc, fast=False)
    except DocumentError as exc:
        with pytest.raises(type(exc)):
            canon.canonicalize(doc)
    else:
        assert canon.canonicalize(doc) == general
