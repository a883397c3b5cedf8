"""jsonld.js (Digital Bazaar's eddsa-rdfc-2022 canonicalization) against credstack's fast path.

Generated credentials in every script go to the Node harness in batches (one request each, to keep the
suite quick); each must come back with exactly the canonical N-Quads of credstack's fast path, which
tests/vc/test_shapes.py holds to pyld's general path.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyld import jsonld

from credstack.vc import canon, contexts, shapes, status
from tests.vc.strategies import PHRASES, credentials

from .verifier import NodeVerifier

VECTORS = Path(__file__).parents[1] / "vc" / "vectors" / "1edtech-ob3" / "obv3p0"
ISSUER = "did:key:z6MknNQD1WHLGGraFi6zcbGevuAgkVfdyCdtZnQTGWVVvR5Q"


def fast_path_takes(doc: dict) -> bool:
    return (
        shapes.quads(canon.js_json(doc), jsonld.JsonLdProcessor()._process_context, shapes.options())
        is not None
    )


def assert_same_as_jsonld_js(node_verifier: NodeVerifier, documents: list[dict]) -> None:
    ours = [canon.canonicalize(doc) for doc in documents]
    theirs = node_verifier.canonize(documents, timeout=120)
    for doc, mine, js in zip(documents, ours, theirs, strict=True):
        assert mine == js, json.dumps(doc, ensure_ascii=False)[:2000]


@settings(
    max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)
@given(st.lists(credentials(), min_size=25, max_size=25))
def test_generated_credentials_canonicalize_as_jsonld_js_does(node_verifier, batch):
    assert all(fast_path_takes(doc) for doc in batch)
    assert_same_as_jsonld_js(node_verifier, batch)


def test_status_lists_proof_configurations_and_the_published_vector_as_jsonld_js(node_verifier):
    vector = json.loads((VECTORS / "vector.json").read_text("utf-8"))
    documents = [
        status.list_credential(
            f"https://academy.example/status/{purpose}",
            ISSUER,
            purpose,
            status.StatusBits().encode(),
            datetime(2026, 1, 1, tzinfo=UTC),
        )
        for purpose in status.PURPOSES
    ]
    documents += [
        {
            "@context": [contexts.VC_V2, contexts.OB_V3],
            "type": "DataIntegrityProof",
            "cryptosuite": "eddsa-rdfc-2022",
            "created": "2026-01-01T00:00:00Z",
            "verificationMethod": ISSUER + "#key-1",
            "proofPurpose": purpose,
        }
        for purpose in ("assertionMethod", "authentication")
    ]
    documents.append(vector["credential"])
    documents += [
        {
            "@context": [contexts.VC_V2],
            "type": ["VerifiableCredential"],
            "issuer": ISSUER,
            "name": phrase,
            "credentialSubject": {"name": phrase},
        }
        for phrase in PHRASES
    ]
    assert all(fast_path_takes(doc) for doc in documents)
    assert_same_as_jsonld_js(node_verifier, documents)
