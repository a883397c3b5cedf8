"""did:web and did:key: conversions, DID documents, key lookup."""

from __future__ import annotations

import pytest

from credstack.vc import did, keys
from credstack.vc.errors import DidError

from .helpers import DCC, load


@pytest.mark.parametrize(
    ("base", "path", "expected"),
    [
        ("http://127.0.0.1:8000", "orgs/demo-academy", "did:web:127.0.0.1%3A8000:orgs:demo-academy"),
        ("https://credstack.example", None, "did:web:credstack.example"),
        ("https://Credstack.Example/", "orgs/acme", "did:web:credstack.example:orgs:acme"),
        ("https://example.com/credstack", "orgs/acme", "did:web:example.com:credstack:orgs:acme"),
        ("https://example.com:8443", "/orgs/a b/", "did:web:example.com%3A8443:orgs:a%20b"),
        ("http://localhost:8000", "orgs/x", "did:web:localhost%3A8000:orgs:x"),
    ],
)
def test_did_web_for(base, path, expected):
    assert did.did_web_for(base, path) == expected


@pytest.mark.parametrize(
    ("value", "url"),
    [
        ("did:web:127.0.0.1%3A8000:orgs:demo-academy", "http://127.0.0.1:8000/orgs/demo-academy/did.json"),
        ("did:web:localhost%3A8000:orgs:x#key-1", "http://localhost:8000/orgs/x/did.json"),
        ("did:web:credstack.example", "https://credstack.example/.well-known/did.json"),
        ("did:web:example.com%3A8443:orgs:acme", "https://example.com:8443/orgs/acme/did.json"),
        (
            "did:web:digitalcredentials.github.io:vc-test-fixtures:dids:legacy",
            "https://digitalcredentials.github.io/vc-test-fixtures/dids/legacy/did.json",
        ),
    ],
)
def test_did_web_url(value, url):
    assert did.did_web_url(value) == url


def test_did_web_round_trips():
    for base, path in [("http://127.0.0.1:8000", "orgs/demo"), ("https://a.example:9000/x", "y/z")]:
        assert did.did_web_url(did.did_web_for(base, path)) == f"{base}/{path}/did.json"


@pytest.mark.parametrize(
    "value",
    [
        "did:key:z6Mk",
        "did:web:",
        "did:web:exa mple.com",
        "did:web:a.example::x",
        "did:web:a.example:x%2Fy",
        "did:web:user@a.example",
    ],
)
def test_bad_did_web_is_refused(value):
    with pytest.raises(DidError):
        did.did_web_url(value)


@pytest.mark.parametrize(
    "base", ["ftp://example.com", "https://", "https://example.com/?q=1", "https://u@example.com"]
)
def test_bad_base_urls_are_refused(base):
    with pytest.raises(DidError):
        did.did_web_for(base)


def test_did_document_lists_multikey_methods_for_assertion():
    doc_did = "did:web:127.0.0.1%3A8000:orgs:demo"
    key = keys.Ed25519Key.generate()
    document = did.did_document(doc_did, [("key-1", key.public_multibase)])
    assert document == {
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
        "id": doc_did,
        "verificationMethod": [
            {
                "id": f"{doc_did}#key-1",
                "type": "Multikey",
                "controller": doc_did,
                "publicKeyMultibase": key.public_multibase,
            }
        ],
        "assertionMethod": [f"{doc_did}#key-1"],
    }
    method = did.verification_method(document, f"{doc_did}#key-1")
    assert did.public_key(method, doc_did) == key.public_bytes()


def test_resolve_did_key():
    key = keys.Ed25519Key.generate()
    doc_did = keys.did_key(key.public_bytes())
    document = did.resolve_did_key(doc_did + "#ignored")
    vm_id = f"{doc_did}#{key.public_multibase}"
    assert document["id"] == doc_did
    assert document["assertionMethod"] == document["authentication"] == [vm_id]
    assert did.public_key(did.verification_method(document, vm_id), doc_did) == key.public_bytes()
    with pytest.raises(DidError):
        did.resolve_did_key("did:key:zNotAKey")


def test_legacy_did_web_document_with_embedded_ed25519_2020_key():
    document = load(DCC / "dids" / "legacy" / "did.json")
    vm_id = document["assertionMethod"][0]["id"]
    method = did.verification_method(document, vm_id)
    assert did.public_key(method, document["id"]) == keys.public_key_from_multibase(
        method["publicKeyMultibase"]
    )


def test_key_lookup_refusals():
    key = keys.Ed25519Key.generate()
    doc_did = "did:web:issuer.example"
    document = did.did_document(doc_did, [("key-1", key.public_multibase)])
    with pytest.raises(DidError, match="does not list"):
        did.verification_method(document, f"{doc_did}#key-2")
    with pytest.raises(DidError, match="does not list"):
        did.verification_method(document, f"{doc_did}#key-1", "capabilityInvocation")
    with pytest.raises(DidError, match="not that DID's document"):
        did.verification_method(document, "did:web:other.example#key-1")
    method = did.verification_method(document, f"{doc_did}#key-1")
    with pytest.raises(DidError, match="controlled by"):
        did.public_key(method, "did:web:other.example")
    with pytest.raises(DidError, match="only Multikey and Ed25519VerificationKey2020"):
        did.public_key({**method, "type": "JsonWebKey2020"}, doc_did)
    with pytest.raises(DidError, match="not an Ed25519, P-256 or P-384 public key"):
        did.public_key({**method, "publicKeyMultibase": "z" + "1" * 40}, doc_did)
    with pytest.raises(DidError, match="not an Ed25519, P-256 or P-384 did:key"):
        did.resolve_did_key("did:key:z6LSbysY2xFMRpGMhb7tFTLMpeuPRaqaWM1yECx2AtzE3KCc")  # an X25519 key
