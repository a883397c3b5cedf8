"""eddsa-rdfc-2022 sign and verify; Ed25519Signature2020 verify."""

from __future__ import annotations

import copy
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from credstack.vc import keys, proofs
from credstack.vc.errors import ProofError, UndefinedTermError

from .helpers import DCC, VECTORS, dcc_signer, did_key_vm, load, typical_credential

OB = VECTORS / "1edtech-ob3" / "obv3p0"
W3C = VECTORS / "w3c-vc-di-eddsa"
KEY = keys.Ed25519Key.from_private_bytes(bytes(range(32)))
DID, VM = did_key_vm(KEY)


def by_did_key(vm: str) -> bytes:
    return keys.public_key_from_did_key(vm)


def sign(doc: dict, created="2025-06-01T12:00:00Z") -> dict:
    return proofs.sign(doc, KEY, VM, created=created)


# ---------------------------------------------------------------- published vectors


def test_1edtech_vector_proof_value_byte_for_byte():
    vector = load(OB / "vector.json")
    key = keys.Ed25519Key.from_private_bytes(bytes.fromhex(vector["privateKeyHex"])[:32])
    signed = proofs.sign(
        vector["credential"], key, vector["verificationMethod"], created=vector["proofConfig"]["created"]
    )
    assert signed["proof"] == {**vector["proofConfig"], "proofValue": vector["proofValue"]}
    assert keys.multibase_decode(vector["proofValue"]).hex() == vector["signatureHex"]
    assert proofs.verify(signed, lambda vm: key.public_bytes()).verified


def test_w3c_vector_signed_output(examples_context):
    pair = load(W3C / "keyPair.json")
    key = keys.Ed25519Key.from_private_bytes(keys.multibase_decode(pair["privateKeyMultibase"])[2:])
    expected = load(W3C / "eddsa-rdfc-2022" / "signedDataInt.json")
    signed = proofs.sign(
        load(W3C / "unsigned.json"),
        key,
        expected["proof"]["verificationMethod"],
        created=expected["proof"]["created"],
    )
    assert signed == expected
    published = {
        name: (W3C / "eddsa-rdfc-2022" / name).read_text().strip()
        for name in ("sigBTC58DataInt.txt", "sigHexDataInt.txt")
    }
    assert signed["proof"]["proofValue"] == published["sigBTC58DataInt.txt"]
    assert keys.multibase_decode(signed["proof"]["proofValue"]).hex() == published["sigHexDataInt.txt"]
    result = proofs.verify(expected, by_did_key)
    assert (
        result.verified
        and result.proof_type == "DataIntegrityProof"
        and result.created == "2023-02-24T23:36:38Z"
    )


@pytest.mark.parametrize(
    "path", sorted((DCC / "verifiableCredentials").rglob("*.json")), ids=lambda p: p.name
)
def test_dcc_signatures_verify(path):
    credential = load(path)
    did_documents = {d["id"]: d for d in (load(DCC / "dids" / n / "did.json") for n in ("legacy", "oidf"))}

    def resolve(vm: str) -> bytes:
        if vm.startswith("did:key:"):
            return by_did_key(vm)
        method = next(m for m in did_documents[vm.split("#")[0]]["assertionMethod"] if m["id"] == vm)
        return keys.public_key_from_multibase(method["publicKeyMultibase"])

    assert proofs.verify(credential, resolve).verified


def test_ed25519_signature_2020_status_lists():
    lists = DCC / "statusLists" / "didkey-ed25519Signature2020"
    for name in ("e5WK8CbZ1GjycuPombrj", "expired", "missingBitStringType", "notYetValid"):
        result = proofs.verify(load(lists / name), by_did_key)
        assert result.verified and result.proof_type == "Ed25519Signature2020", (name, result)
    tampered = proofs.verify(load(lists / "tampered"), by_did_key)
    assert not tampered.verified and "does not match" in tampered.error


# ---------------------------------------------------------------- sign -> verify


def test_a_typical_credential_round_trips():
    signed = sign(typical_credential(DID))
    result = proofs.verify(signed, by_did_key)
    assert result == proofs.ProofResult(
        True,
        "DataIntegrityProof",
        VM,
        "assertionMethod",
        "2025-06-01T12:00:00Z",
        cryptosuite="eddsa-rdfc-2022",
    )


def test_created_defaults_to_now_and_accepts_datetimes():
    assert proofs.sign(typical_credential(DID), KEY, VM)["proof"]["created"].endswith("Z")
    signed = sign(typical_credential(DID), created=datetime(2025, 6, 1, 14, 0, 0, 123456, tzinfo=UTC))
    assert signed["proof"]["created"] == "2025-06-01T14:00:00Z"
    assert proofs.verify(signed, by_did_key).verified


def test_signing_does_not_change_the_input():
    doc = typical_credential(DID)
    before = copy.deepcopy(doc)
    sign(doc)
    assert doc == before


@pytest.mark.parametrize("char", [chr(n) for n in [*range(0x20), 0x7F]])
def test_every_control_character_round_trips(char):
    signed = sign(typical_credential(DID, name=f"Ada{char}Lovelace"))
    assert signed["credentialSubject"]["name"] == f"Ada{char}Lovelace"
    assert proofs.verify(signed, by_did_key).verified


TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=200)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=TEXT, description=TEXT, narrative=TEXT.filter(bool))
def test_any_text_round_trips(name, description, narrative):
    doc = typical_credential(DID, name=name or None)
    doc["credentialSubject"]["achievement"]["description"] = description
    doc["credentialSubject"]["achievement"]["criteria"]["narrative"] = narrative
    assert proofs.verify(sign(doc), by_did_key).verified


@pytest.mark.parametrize(
    "name",
    [
        "Ahmad Al-Fārisī أحمد الفارسي",
        "李小龙",
        "Ольга Петрова",
        "प्रिया शर्मा",
        "שָׁלוֹם",
        'Zoë 👩‍🎓 O\'Brien "Jr"',
        "ᄀᄁ 한국어",
        "𝔘𝔫𝔦𝔠𝔬𝔡𝔢 🏳️‍🌈",
        "x" * 100_000,
    ],
)
def test_every_script_emoji_and_long_strings_round_trip(name):
    assert proofs.verify(sign(typical_credential(DID, name=name)), by_did_key).verified


@settings(max_examples=60, deadline=None)
@given(position=st.integers(min_value=0, max_value=10_000), char=st.characters(blacklist_categories=("Cs",)))
def test_any_change_to_the_name_breaks_the_signature(position, char):
    signed = sign(typical_credential(DID))
    name = signed["credentialSubject"]["name"]
    position %= len(name) + 1
    changed = name[:position] + char + name[position:]
    signed["credentialSubject"]["name"] = changed
    assert not proofs.verify(signed, by_did_key).verified


@pytest.mark.parametrize(
    "tamper",
    [
        lambda d: d.__setitem__("validFrom", "2025-06-01T12:00:01Z"),
        lambda d: d["issuer"].__setitem__("name", "Other Academy"),
        lambda d: d["credentialSubject"]["achievement"]["tag"].append("extra"),
        lambda d: d["credentialSubject"]["identifier"][0].__setitem__("salt", "x"),
        lambda d: d["credentialStatus"][0].__setitem__("statusListIndex", "4243"),
        lambda d: d.pop("credentialStatus"),
        lambda d: d["proof"].__setitem__("created", "2025-06-01T12:00:01Z"),
        lambda d: d["proof"].__setitem__("verificationMethod", VM + "x"),
        lambda d: d["proof"].__setitem__("proofPurpose", "authentication"),
    ],
    ids=["validFrom", "issuer", "tag", "salt", "status", "no-status", "created", "vm", "purpose"],
)
def test_tampering_fails(tamper):
    signed = sign(typical_credential(DID))
    tamper(signed)
    assert not proofs.verify(signed, lambda vm: KEY.public_bytes()).verified


def test_wrong_key_fails():
    result = proofs.verify(sign(typical_credential(DID)), lambda vm: dcc_signer().public_bytes())
    assert not result.verified and "does not match" in result.error


# ---------------------------------------------------------------- refusals


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (lambda p: p.__setitem__("cryptosuite", "bbs-2023"), "cryptosuite 'bbs-2023' is not supported"),
        (lambda p: p.__setitem__("cryptosuite", "ecdsa-sd-2023"), "multibase base64url"),
        (lambda p: p.__setitem__("cryptosuite", "ecdsa-rdfc-2019"), "an Ed25519 key, which cannot make"),
        (lambda p: p.__setitem__("type", "JsonWebSignature2020"), "not supported"),
        (lambda p: p.__setitem__("proofValue", "z1111"), "64 bytes"),
        (lambda p: p.__setitem__("proofValue", "u" + p["proofValue"][1:]), "64 bytes"),
        (lambda p: p.pop("verificationMethod"), "no verificationMethod"),
        (lambda p: p.__setitem__("created", "yesterday"), "dateTime"),
    ],
)
def test_malformed_proofs_are_reported(change, words):
    signed = sign(typical_credential(DID))
    change(signed["proof"])
    result = proofs.verify(signed, by_did_key)
    assert not result.verified and words in result.error


def test_unknown_key_and_missing_proof_are_reported():
    assert "could not be found" in proofs.verify(sign(typical_credential(DID)), lambda vm: None).error
    assert "no proof" in proofs.verify(typical_credential(DID), by_did_key).error
    signed = sign(typical_credential(DID))
    doubled = proofs.verify_all({**signed, "proof": [signed["proof"]] * 2}, by_did_key)
    assert [r.verified for r in doubled] == [True, True]  # a proof set: each proof verified on its own


def test_undefined_terms_are_refused_at_signing():
    doc = typical_credential(DID)
    doc["credentialSubject"]["grade"] = "A"
    with pytest.raises(UndefinedTermError, match=r"credentialSubject\.grade"):
        sign(doc)


def test_sign_refusals():
    with pytest.raises(ProofError, match="already has a proof"):
        sign(sign(typical_credential(DID)))
    with pytest.raises(ProofError, match="@context"):
        sign({"type": "VerifiableCredential"})
    with pytest.raises(ProofError, match="must include"):
        sign({"@context": "https://www.w3.org/2018/credentials/v1", "type": "VerifiableCredential"})
    with pytest.raises(ProofError, match="dateTime"):
        sign(typical_credential(DID), created="now")


def test_the_proof_configuration_hash_is_cached_per_created_and_key():
    proofs._cached_config_hash.cache_clear()
    for _ in range(3):
        sign(typical_credential(DID))
    info = proofs._cached_config_hash.cache_info()
    assert (info.misses, info.hits) == (1, 2)
