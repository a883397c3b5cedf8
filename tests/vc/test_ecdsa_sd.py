"""ecdsa-sd-2023 (selective disclosure) credentials from other issuers: base and derived proofs made by
Digital Bazaar's own suite (``fixtures/ecdsa-sd/README.md``), verified by credstack
(``credstack.vc.sd`` through ``credstack.vc.proofs`` and ``credstack verify``)."""

from __future__ import annotations

import base64
import copy
import hashlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import cbor2
import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from credstack.cli import main
from credstack.vc import canon, keys, proofs, sd, verify

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "ecdsa-sd"
SRC = Path(__file__).resolve().parents[2] / "src"


def load(name: str) -> dict:
    return json.loads((FIXTURES / f"{name}.json").read_text(encoding="utf-8"))


def proof_check(report: verify.Report) -> verify.Check:
    [check] = [c for c in report.checks if c.name == "proof"]
    return check


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def rewrite(doc: dict, change) -> dict:
    """``doc`` with its proofValue's CBOR array changed by ``change(parts)``."""
    raw = unb64(doc["proof"]["proofValue"][1:])
    parts = cbor2.loads(raw[3:])
    change(parts)
    doc = copy.deepcopy(doc)
    doc["proof"]["proofValue"] = "u" + b64(raw[:3] + cbor2.dumps(parts))
    return doc


# ---------------------------------------------------------------- Digital Bazaar's credentials


def test_digital_bazaars_derived_credential_is_valid():
    doc = load("p-256-derived")
    assert doc["proof"]["proofValue"].startswith("u2V0B")  # d9 5d 01: a derived proof
    # what the holder chose not to show is not there
    assert "identifier" not in doc["credentialSubject"]
    assert "description" not in doc["credentialSubject"]["achievement"]
    assert len(doc["credentialSubject"]["achievement"]["alignment"]) == 1
    report = verify.verify_credential(doc)
    assert report.status == "valid", report.to_dict()
    check = proof_check(report)
    assert check.details == {
        "verificationMethod": doc["proof"]["verificationMethod"],
        "suite": "ecdsa-sd-2023",
        "disclosure": "derived",
    }
    assert "selective disclosure" in check.message


def test_digital_bazaars_base_credential_is_valid():
    """The base proof (what the issuer hands the holder) verifies with its HMAC key and mandatory
    pointers, and is reported as a base proof."""
    doc = load("p-256-base")
    assert doc["proof"]["proofValue"].startswith("u2V0A")  # d9 5d 00: a base proof
    parsed = sd.parse_proof_value(doc["proof"]["proofValue"])
    assert isinstance(parsed, sd.BaseProof) and "/issuer" in parsed.mandatory_pointers
    report = verify.verify_credential(doc)
    assert report.status == "valid", report.to_dict()
    assert proof_check(report).details["disclosure"] == "base"
    assert "base proof" in proof_check(report).message


def test_both_proofs_sign_the_same_mandatory_statements():
    """The derived proof reuses the base signature: the issuer signed it once."""
    base = sd.parse_proof_value(load("p-256-base")["proof"]["proofValue"])
    derived = sd.parse_proof_value(load("p-256-derived")["proof"]["proofValue"])
    assert isinstance(derived, sd.DerivedProof)
    assert derived.base_signature == base.base_signature and derived.public_key == base.public_key
    assert set(derived.signatures) < set(base.signatures)


# ---------------------------------------------------------------- tampering


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (
            lambda d: d["credentialSubject"].__setitem__("name", "Mallory Forger"),
            "signature of disclosed statement",
        ),
        (
            lambda d: d["credentialSubject"]["achievement"]["alignment"][0].__setitem__(
                "targetName", "COBOL"
            ),
            "signature of disclosed statement",
        ),
        (
            lambda d: d["credentialSubject"]["achievement"].__setitem__("description", "Brain surgery"),
            "statement signatures for",
        ),
        (lambda d: d["credentialSubject"].pop("name"), "statement signatures for"),
        (lambda d: d["issuer"].__setitem__("name", "Fake Academy"), "does not match"),
        (
            lambda d: d["proof"].__setitem__("created", "2025-06-01T12:00:01Z"),
            "base signature does not match",
        ),
    ],
    ids=[
        "disclosed-value",
        "disclosed-nested-value",
        "added-statement",
        "hidden-more",
        "mandatory",
        "created",
    ],
)
def test_a_changed_derived_credential_is_invalid(change, words):
    doc = load("p-256-derived")
    change(doc)
    report = verify.verify_credential(doc)
    assert report.status == "invalid"
    assert words in proof_check(report).message, proof_check(report).message


def test_a_dropped_signature_is_refused():
    doc = rewrite(load("p-256-derived"), lambda parts: parts[2].pop())
    message = proof_check(verify.verify_credential(doc)).message
    assert "signature was dropped" in message


def test_a_wrong_label_map_is_refused():
    def swap(parts):
        labels = parts[3]
        first, second = sorted(labels)[:2]
        labels[first], labels[second] = labels[second], labels[first]

    message = proof_check(verify.verify_credential(rewrite(load("p-256-derived"), swap))).message
    assert "label map" in message and "does not match" in message

    def forget(parts):
        parts[3].pop(max(parts[3]))

    message = proof_check(verify.verify_credential(rewrite(load("p-256-derived"), forget))).message
    assert "label map has no label for the blank node _:c14n" in message


def test_wrong_mandatory_indexes_are_refused():
    doc = rewrite(load("p-256-derived"), lambda parts: parts[4].append(999))
    assert "names mandatory statement 999" in proof_check(verify.verify_credential(doc)).message
    doc = rewrite(load("p-256-derived"), lambda parts: parts[4].pop(0))
    assert verify.verify_credential(doc).status == "invalid"


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("z" + "1" * 40, "multibase base64url"),
        ("u!!!", "not valid base64url"),
        ("u" + b64(b"\xd9\x5d\x02" + cbor2.dumps([])), "neither a base proof"),
        ("u" + b64(b"\xd9\x5d\x01\xff\xff"), "not valid CBOR"),
        ("u" + b64(b"\xd9\x5d\x01\x9b" + b"\xff" * 8), "not valid CBOR"),  # 2**64 - 1 items
        ("u" + b64(b"\xd9\x5d\x01" + b"\x81" * 100_000 + b"\x00"), "not valid CBOR"),  # nested 100,000 deep
        (
            "u" + b64(b"\xd9\x5d\x01\xc5\x82\x1b" + b"\x3f" + b"\xff" * 7 + b"\x01"),
            "not valid CBOR",
        ),  # 2**(2**62)
        ("u" + b64(b"\xd9\x5d\x01" + cbor2.dumps([1, 2])), "array of 5 items"),
        ("u" + b64(b"\xd9\x5d\x01" + cbor2.dumps([b"", b"", [], [], []])), "not a CBOR map"),
        ("u" + b64(b"\xd9\x5d\x01" + cbor2.dumps([b"", b"", ["x"], {}, []])), "not a CBOR byte string"),
        ("u" + b64(b"\xd9\x5d\x00" + cbor2.dumps([b"", b"", b"short", [], []])), "hmacKey is not 32 bytes"),
    ],
)
def test_a_malformed_proof_value_is_refused_saying_why(value, words):
    doc = load("p-256-derived")
    doc["proof"]["proofValue"] = value
    report = verify.verify_credential(doc)
    assert report.status == "invalid" and words in proof_check(report).message


def test_a_changed_base_credential_is_invalid():
    doc = load("p-256-base")
    doc["credentialSubject"]["achievement"]["description"] = "Brain surgery"
    assert "signature of disclosed statement" in proof_check(verify.verify_credential(doc)).message
    doc = load("p-256-base")
    doc["validFrom"] = "2020-01-01T00:00:00Z"  # a mandatory statement: only the base signature covers it
    assert "base signature does not match" in proof_check(verify.verify_credential(doc)).message
    doc = rewrite(load("p-256-base"), lambda parts: parts[4].append("/nothing/here"))
    assert "selects nothing" in proof_check(verify.verify_credential(doc)).message


def test_the_suite_needs_an_ecdsa_key():
    doc = load("p-256-derived")
    ed = keys.Ed25519Key.generate().public_bytes()
    result = proofs.verify(doc, lambda vm: ed)
    assert not result.verified and "an Ed25519 key, which cannot make a ecdsa-sd-2023 proof" in result.error


# ---------------------------------------------------------------- P-384 issuer keys


def derive_with(issuer: ec.EllipticCurvePrivateKey, doc: dict, digest: str) -> dict:
    """A derived ecdsa-sd-2023 proof of ``doc`` by ``issuer`` (P-384) that discloses everything, the first
    two statements mandatory, hashed with ``digest``: the spec's construction, written out here because
    Digital Bazaar's suite makes P-256 proofs only."""
    public = issuer.public_key().public_bytes(Encoding.X962, PublicFormat.CompressedPoint)
    did = "did:key:" + keys.multibase_encode(keys.P384_PUB_HEADER + public)
    doc = {**doc, "issuer": {**doc["issuer"], "id": did}}
    proof = {
        "type": "DataIntegrityProof",
        "cryptosuite": "ecdsa-sd-2023",
        "created": "2025-06-01T12:00:00Z",
        "verificationMethod": f"{did}#{did[8:]}",
        "proofPurpose": "assertionMethod",
    }
    canonical = canon.canonicalize(doc)
    names = sorted(set(re.findall(r"_:(c14n\d+)", canonical)), key=lambda n: int(n[4:]))
    label_map = {n: "u" + b64(hashlib.sha256(os.urandom(16) + n.encode()).digest()) for n in names}
    nquads = sd.relabel([line + "\n" for line in canonical.split("\n")[:-1]], label_map)
    one_time = ec.generate_private_key(ec.SECP256R1())

    def sign(key, data, hash_algorithm):
        r, s = decode_dss_signature(key.sign(data, ec.ECDSA(hash_algorithm)))
        size = 48 if isinstance(key.curve, ec.SECP384R1) else 32
        return r.to_bytes(size, "big") + s.to_bytes(size, "big")

    one_time_public = keys.P256_PUB_HEADER + one_time.public_key().public_bytes(
        Encoding.X962, PublicFormat.CompressedPoint
    )
    config = canon.canonicalize({"@context": doc["@context"], **proof})
    data = (
        hashlib.new(digest, config.encode()).digest()
        + one_time_public
        + hashlib.new(digest, "".join(nquads[:2]).encode()).digest()
    )
    parts = [
        sign(issuer, data, hashes.SHA384()),
        one_time_public,
        [sign(one_time, q.encode(), hashes.SHA256()) for q in nquads[2:]],
        {int(n[4:]): unb64(label[1:]) for n, label in label_map.items()},
        [0, 1],
    ]
    proof["proofValue"] = "u" + b64(b"\xd9\x5d\x01" + cbor2.dumps(parts))
    return {**doc, "proof": proof}


@pytest.mark.parametrize("digest", ["sha384", "sha256"])
def test_a_p384_issuer_key_verifies_with_either_hash(digest):
    """For P-384 the spec hashes with SHA-384, Digital Bazaar's primitives with SHA-256: both verify."""
    unsigned = {k: v for k, v in load("p-256-base").items() if k != "proof"}
    doc = derive_with(ec.generate_private_key(ec.SECP384R1()), unsigned, digest)
    assert doc["issuer"]["id"].startswith("did:key:z82")
    report = verify.verify_credential(doc)
    assert report.status == "valid", report.to_dict()
    doc["credentialSubject"]["name"] = "Mallory Forger"
    assert verify.verify_credential(doc).status == "invalid"


# ---------------------------------------------------------------- as a user would


def test_credstack_verify_command(tmp_path, capsys):
    path = tmp_path / "derived.json"
    path.write_text(json.dumps(load("p-256-derived")))
    assert main(["verify", str(path)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("VALID") and "ecdsa-sd-2023" in out and "selective disclosure" in out
    doc = load("p-256-derived")
    doc["credentialSubject"]["name"] = "Mallory Forger"
    path.write_text(json.dumps(doc))
    assert main(["verify", str(path)]) == 1
    out = capsys.readouterr().out
    assert out.startswith("INVALID") and "signature of disclosed statement" in out


def _verify_in_a_shell(path):
    return subprocess.run(
        [sys.executable, "-m", "credstack.cli", "verify", str(path)],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(SRC)},
        check=False,
    )


def test_credstack_verify_in_a_shell(tmp_path):
    """The command a holder or a verifier types, in its own process."""
    doc = rewrite(load("p-256-derived"), lambda parts: parts[2].pop())
    path = tmp_path / "dropped.json"
    path.write_text(json.dumps(doc))
    run = _verify_in_a_shell(path)
    assert run.returncode == 1 and run.stdout.startswith("INVALID")
    assert "a signature was dropped or a statement added" in run.stdout
    path.write_text(json.dumps(load("p-256-base")))
    run = _verify_in_a_shell(path)
    assert run.returncode == 0 and run.stdout.startswith("VALID") and "base proof" in run.stdout
