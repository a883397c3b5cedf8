"""The bundled JSON-LD contexts and the offline document loader."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pyld.documentloader.frozen import BUNDLED_CONTEXTS

from credstack.vc import canon, contexts
from credstack.vc.errors import ContextNotAllowedError

CONTEXT_DIR = Path(contexts.__file__).parent

REQUIRED = [
    "https://www.w3.org/ns/credentials/v2",
    "https://www.w3.org/2018/credentials/v1",
    "https://purl.imsglobal.org/spec/ob/v3p0/context.json",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.1.json",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json",
    "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json",
    "https://w3id.org/security/data-integrity/v1",
    "https://w3id.org/security/data-integrity/v2",
    "https://w3id.org/security/multikey/v1",
    "https://www.w3.org/ns/did/v1",
    "https://www.w3.org/ns/credentials/status/v1",
    "https://w3id.org/vc/status-list/2021/v1",
    "https://w3id.org/security/suites/ed25519-2020/v1",
    "https://w3id.org/openbadges/v2",
    "https://www.w3.org/ns/credentials/undefined-terms/v2",
]


def test_every_needed_context_is_bundled_with_its_source():
    manifest = json.loads((CONTEXT_DIR / "_manifest.json").read_text())
    assert set(REQUIRED) <= set(manifest)
    for url, entry in manifest.items():
        assert (CONTEXT_DIR / entry["file"]).is_file(), url
        assert entry["source"], url
        assert "@context" in contexts.get(url), url
        assert contexts.source(url) == entry["source"]
    files = {
        p.name
        for p in CONTEXT_DIR.iterdir()
        if p.suffix in (".json", ".jsonld") and p.name != "_manifest.json"
    }
    assert files == {e["file"] for e in manifest.values()}, "a context file is not listed in the manifest"


@pytest.mark.parametrize("url", sorted(set(BUNDLED_CONTEXTS) & set(REQUIRED)))
def test_copies_match_an_independent_source(url):
    """pyld ships its own copies of a few contexts (fetched separately): ours must say the same."""
    assert contexts.get(url) == json.loads(BUNDLED_CONTEXTS[url].read_text())


def test_loader_serves_static_documents_and_fresh_copies():
    url = "https://www.w3.org/ns/credentials/v2"
    remote = contexts.document_loader(url, {})
    assert remote["documentUrl"] == url and remote["contextUrl"] is None and remote["tag"] == "static"
    remote["document"]["@context"]["mutated"] = True
    assert "mutated" not in contexts.document_loader(url, {})["document"]["@context"]


@pytest.mark.parametrize(
    "url",
    [
        "https://example.org/evil-context",
        "https://www.w3.org/ns/credentials/v3",
        "http://www.w3.org/ns/credentials/v2",
        "file:///etc/passwd",
    ],
)
def test_unknown_context_urls_are_refused_with_a_clear_error(url):
    with pytest.raises(ContextNotAllowedError, match="never fetched from the network"):
        contexts.document_loader(url)
    doc = {"@context": ["https://www.w3.org/ns/credentials/v2", url], "type": "VerifiableCredential"}
    with pytest.raises(ContextNotAllowedError, match=url.replace("?", r"\?")):
        canon.canonicalize(doc)


def test_nested_and_scoped_context_urls_are_checked_too():
    nested = {
        "@context": "https://www.w3.org/ns/credentials/v2",
        "type": "VerifiableCredential",
        "credentialSubject": {"@context": ["https://example.org/nested"], "name": "x"},
    }
    with pytest.raises(ContextNotAllowedError, match=r"https://example\.org/nested"):
        contexts.check_allowed(nested)
    scoped = {"@context": [{"T": {"@id": "https://example.org/T", "@context": "https://example.org/scoped"}}]}
    with pytest.raises(ContextNotAllowedError, match=r"https://example\.org/scoped"):
        contexts.check_allowed(scoped)


def test_register_and_unregister(examples_context):
    doc = {
        "@context": ["https://www.w3.org/ns/credentials/v2", "https://www.w3.org/ns/credentials/examples/v2"],
        "type": ["VerifiableCredential", "ExampleCredential"],
        "issuer": "did:example:1",
        "credentialSubject": {"id": "did:example:2", "anything": "goes with @vocab"},
    }
    assert "https://www.w3.org/ns/credentials/examples#anything" in canon.canonicalize(doc)
    contexts.unregister("https://www.w3.org/ns/credentials/examples/v2")
    try:
        with pytest.raises(ContextNotAllowedError):
            canon.canonicalize(doc)
    finally:
        contexts.register(
            "https://www.w3.org/ns/credentials/examples/v2",
            {"@context": {"@vocab": "https://www.w3.org/ns/credentials/examples#"}},
            "test",
        )
