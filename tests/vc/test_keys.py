"""Ed25519 keys, Multikey / multibase, did:key."""

from __future__ import annotations

import pytest

from credstack.vc import keys

from .helpers import DCC_LIST_SIGNER, VECTORS, dcc_signer, load


def test_w3c_vector_key_pair():
    pair = load(VECTORS / "w3c-vc-di-eddsa" / "keyPair.json")
    raw = keys.multibase_decode(pair["privateKeyMultibase"])
    assert raw[:2] == b"\x80\x26"  # multicodec ed25519-priv
    key = keys.Ed25519Key.from_private_bytes(raw[2:])
    assert key.public_multibase == pair["publicKeyMultibase"]
    assert keys.public_key_from_multibase(pair["publicKeyMultibase"]) == key.public_bytes()


def test_1edtech_vector_key_pair():
    vector = load(VECTORS / "1edtech-ob3" / "obv3p0" / "vector.json")
    key = keys.Ed25519Key.from_private_bytes(bytes.fromhex(vector["privateKeyHex"])[:32])
    assert key.public_bytes().hex() == vector["publicKeyHex"]
    assert key.public_multibase == vector["publicKeyMultibase"]


@pytest.mark.parametrize(
    ("seed", "did"),
    [
        ("z1AeiPT496wWmo9BG2QYXeTusgFSZPNG3T9wNeTtjrQ3rCB", DCC_LIST_SIGNER),
        (
            "z1AfeAsXeuZsPj9ftDo8UweMYYWmWdrdqud2o14n5QxtiiS",
            "did:key:z6MkjoriXdbyWD25YXTed114F8hdJrLXQ567xxPHAUKxpKkS",
        ),
    ],
)
def test_dcc_published_seeds_give_their_did_keys(seed, did):
    key = keys.Ed25519Key.from_private_bytes(keys.multibase_decode(seed)[2:])
    assert keys.did_key(key.public_bytes()) == did
    assert keys.public_key_from_did_key(did + "#fragment") == key.public_bytes()


def test_generate_sign_verify_and_round_trip():
    key = keys.Ed25519Key.generate()
    again = keys.Ed25519Key.from_private_bytes(key.private_bytes())
    assert again.public_bytes() == key.public_bytes()
    assert key.public_multibase.startswith("z6Mk")
    signature = key.sign(b"data")
    assert keys.verify_signature(key.public_bytes(), signature, b"data")
    assert not keys.verify_signature(key.public_bytes(), signature, b"Data")
    assert not keys.verify_signature(dcc_signer().public_bytes(), signature, b"data")
    assert not keys.verify_signature(key.public_bytes(), signature[:63], b"data")


def test_repr_never_shows_the_private_key():
    key = keys.Ed25519Key.generate()
    text = repr(key)
    assert key.public_multibase in text
    for form in (key.private_bytes().hex(), keys.multibase_encode(key.private_bytes())[1:]):
        assert form not in text


@pytest.mark.parametrize(
    "value",
    [
        "",
        "z",
        "6MknNQD1WHLGGraFi6zcbGevuAgkVfdyCdtZnQTGWVVvR5Q",
        "z0OIl",
        None,
        42,
        keys.multibase_encode(b"\xed\x01" + b"\x00" * 31),  # too short
        keys.multibase_encode(b"\xec\x01" + b"\x00" * 32),  # x25519, not ed25519
    ],
)
def test_bad_multibase_keys_raise_key_error(value):
    with pytest.raises(keys.KeyError):
        keys.public_key_from_multibase(value)


@pytest.mark.parametrize("seed", [b"", b"\x00" * 31, b"\x00" * 33, "0" * 32])
def test_private_keys_are_32_byte_seeds(seed):
    with pytest.raises(keys.KeyError):
        keys.Ed25519Key.from_private_bytes(seed)


def test_did_key_needs_the_did_key_method():
    with pytest.raises(keys.KeyError):
        keys.public_key_from_did_key("did:web:example.com")
