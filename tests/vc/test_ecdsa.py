"""ecdsa-rdfc-2019 credentials from other issuers: made by Digital Bazaar's own suite
(``fixtures/ecdsa/README.md``), verified by credstack (``credstack.vc.proofs``, ``credstack verify``)."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from credstack.cli import main
from credstack.vc import keys, proofs, verify

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "ecdsa"
CURVES = ["p-256", "p-384"]


def load(name: str) -> dict:
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


def proof_check(report: verify.Report) -> verify.Check:
    [check] = [c for c in report.checks if c.name == "proof"]
    return check


@pytest.mark.parametrize("curve", CURVES)
def test_digital_bazaars_ecdsa_credentials_are_valid(curve):
    doc = load(curve)
    assert doc["proof"]["cryptosuite"] == "ecdsa-rdfc-2019"
    assert doc["issuer"]["id"].startswith("did:key:zDn" if curve == "p-256" else "did:key:z82")
    report = verify.verify_credential(doc)
    assert report.status == "valid", report.to_dict()
    check = proof_check(report)
    assert "ecdsa-rdfc-2019" in check.message and check.details["suite"] == "ecdsa-rdfc-2019"


@pytest.mark.parametrize("curve", CURVES)
@pytest.mark.parametrize(
    "change",
    [
        lambda d: d["credentialSubject"]["achievement"].__setitem__("name", "Brain Surgery"),
        lambda d: d["proof"].__setitem__("created", "2025-06-01T12:00:01Z"),
        lambda d: d.__setitem__("validFrom", "2025-06-01T12:00:01Z"),
    ],
)
def test_a_changed_ecdsa_credential_is_invalid(curve, change):
    doc = copy.deepcopy(load(curve))
    change(doc)
    report = verify.verify_credential(doc)
    assert report.status == "invalid" and "does not match" in proof_check(report).message


@pytest.mark.parametrize("curve", CURVES)
def test_a_changed_signature_is_invalid(curve):
    doc = copy.deepcopy(load(curve))
    raw = bytearray(keys.multibase_decode(doc["proof"]["proofValue"]))
    raw[-1] ^= 1
    doc["proof"]["proofValue"] = keys.multibase_encode(bytes(raw))
    assert not proofs.verify(doc, lambda vm: keys.verification_key_from_multibase(vm.split("#")[1])).verified
    doc["proof"]["proofValue"] = keys.multibase_encode(bytes(raw[:40]))
    assert "64 or 96 bytes" in proofs.verify(doc, lambda vm: b"").error


def test_suite_and_key_must_match():
    """An ecdsa-rdfc-2019 proof checked with an Ed25519 key, or an eddsa-rdfc-2022 proof naming a P-256
    key, is refused as such (never verified with the wrong algorithm)."""
    doc = load("p-256")
    ed = keys.Ed25519Key.generate().public_bytes()
    result = proofs.verify(doc, lambda vm: ed)
    assert not result.verified and "an Ed25519 key, which cannot make a ecdsa-rdfc-2019 proof" in result.error
    mislabelled = {**doc, "proof": {**doc["proof"], "cryptosuite": "eddsa-rdfc-2022"}}
    p256 = keys.verification_key_from_multibase(doc["proof"]["verificationMethod"].split("#")[1])
    result = proofs.verify(mislabelled, lambda vm: p256)
    assert not result.verified and "a P-256/P-384 key" in result.error


def test_p384_uses_sha384_for_the_blank_node_labels_too():
    """The P-384 credential verifies only with RDFC-1.0 run on SHA-384 (its blank nodes are named by it),
    as Digital Bazaar's suite does."""
    doc = load("p-384")
    unsigned = {k: v for k, v in doc.items() if k != "proof"}
    from credstack.vc import canon  # only this test canonicalizes directly

    assert canon.canonicalize(unsigned, hash_algorithm="sha384") != canon.canonicalize(unsigned)
    with pytest.raises(ValueError, match="sha512"):
        canon.canonicalize(unsigned, hash_algorithm="sha512")


@pytest.mark.parametrize("curve", CURVES)
def test_credstack_verify_command(curve, tmp_path, capsys):
    path = tmp_path / f"{curve}.json"
    path.write_text(json.dumps(load(curve)))
    assert main(["verify", str(path)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("VALID") and "ecdsa-rdfc-2019" in out
    doc = load(curve)
    doc["name"] = "Changed"
    path.write_text(json.dumps(doc))
    assert main(["verify", str(path)]) == 1
    assert capsys.readouterr().out.startswith("INVALID")
