"""Proof sets and proof chains (VC Data Integrity 1.0 §2.1.2, §4.2): every proof must verify, and the
report names each one.

The proof set comes from Digital Bazaar's own suites (``tests/vc/fixtures/proof-sets/README.md``); the
chain is made here with ``previousProof`` as the specification defines it (the chained proof signs the
document holding the proof it names).
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from credstack.cli import main
from credstack.vc import keys, proofs, verify
from credstack.vc.errors import ProofError

from .helpers import did_key_vm, typical_credential

SETS = Path(__file__).resolve().parent / "fixtures" / "proof-sets"
DB_SET = SETS / "ed25519-2020-and-eddsa-rdfc-2022.json"


def db_set() -> dict:
    return json.loads(DB_SET.read_text())


def proof_checks(report: verify.Report) -> list[verify.Check]:
    return [c for c in report.checks if c.name == "proof"]


def test_digital_bazaars_proof_set_verifies_proof_by_proof():
    report = verify.verify_credential(db_set())
    assert report.status == "valid"
    checks = proof_checks(report)
    assert [c.ok for c in checks] == [True, True]
    assert "proof 1 of 2" in checks[0].message and "Ed25519Signature2020" in checks[0].message
    assert "proof 2 of 2" in checks[1].message and "eddsa-rdfc-2022" in checks[1].message
    assert [c.details["suite"] for c in checks] == ["Ed25519Signature2020", "eddsa-rdfc-2022"]


@pytest.mark.parametrize("bad", [0, 1])
def test_one_bad_proof_makes_the_set_invalid_and_is_named(bad):
    doc = db_set()
    value = doc["proof"][bad]["proofValue"]
    doc["proof"][bad]["proofValue"] = value[:-3] + ("111" if not value.endswith("111") else "222")
    report = verify.verify_credential(doc)
    assert report.status == "invalid"
    checks = proof_checks(report)
    assert [c.ok for c in checks] == [bad != 0, bad != 1]
    assert checks[bad].message.startswith(f"proof {bad + 1} of 2: ")


def test_a_changed_document_fails_every_proof_of_the_set():
    doc = db_set()
    doc["credentialSubject"]["name"] = "Eve"
    assert [c.ok for c in proof_checks(verify.verify_credential(doc))] == [False, False]


def test_either_proof_of_the_set_alone_still_verifies():
    for keep in (0, 1):
        doc = db_set()
        doc["proof"] = doc["proof"][keep]
        assert verify.verify_credential(doc).status == "valid"


def test_credstack_verify_prints_each_proof(capsys):
    assert main(["verify", "--offline", str(DB_SET)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("VALID")
    assert "[ok] proof: proof 1 of 2" in out and "[ok] proof: proof 2 of 2" in out


def test_a_proof_of_another_signer_in_the_set_is_refused():
    doc = db_set()
    stranger = keys.Ed25519Key.generate()
    _, vm = did_key_vm(stranger)
    theirs = proofs.sign({k: v for k, v in doc.items() if k != "proof"}, stranger, vm)
    doc["proof"].append(theirs["proof"])
    report = verify.verify_credential(doc)
    assert report.status == "invalid"
    assert "proof 3 of 3: the signing key" in proof_checks(report)[2].message


# -- chains


@pytest.fixture
def chain() -> dict:
    key = keys.Ed25519Key.generate()
    did, vm = did_key_vm(key)
    doc = typical_credential(did, status_entries=[])
    first = proofs.sign(doc, key, vm, created="2025-06-01T12:00:00Z", proof_id="urn:uuid:first", as_list=True)
    return proofs.sign(first, key, vm, created="2025-06-02T12:00:00Z", previous_proof="urn:uuid:first")


def test_a_proof_chain_verifies(chain):
    assert chain["proof"][1]["previousProof"] == "urn:uuid:first"
    report = verify.verify_credential(chain)
    assert report.status == "valid"
    assert [c.ok for c in proof_checks(report)] == [True, True]


def test_the_chained_proof_signs_the_earlier_one(chain):
    """Alone (as a set member over the bare document), the second proof does not verify: it covers the
    first proof too, so swapping the first proof for another breaks it."""
    swapped = copy.deepcopy(chain)
    swapped["proof"][0]["created"] = "2025-06-01T12:00:01Z"
    checks = proof_checks(verify.verify_credential(swapped))
    assert [c.ok for c in checks] == [False, False]


def test_a_broken_chain_is_reported(chain):
    dropped = {**chain, "proof": [chain["proof"][1]]}
    report = verify.verify_credential(dropped)
    assert report.status == "invalid"
    assert "previousProof 'urn:uuid:first' is not a proof of this document" in proof_checks(report)[0].message
    renamed = copy.deepcopy(chain)
    renamed["proof"][1]["previousProof"] = ["urn:uuid:nowhere"]
    assert "broken chain" in proofs.verify_all(renamed, lambda vm: None)[1].error


def test_chaining_to_a_proof_that_is_not_there_is_refused():
    key = keys.Ed25519Key.generate()
    did, vm = did_key_vm(key)
    signed = proofs.sign(typical_credential(did, status_entries=[]), key, vm, proof_id="urn:uuid:a")
    with pytest.raises(ProofError, match="no proof with the id 'urn:uuid:b'"):
        proofs.sign(signed, key, vm, previous_proof="urn:uuid:b")
    with pytest.raises(ProofError, match="already has a proof"):
        proofs.sign(signed, key, vm)
