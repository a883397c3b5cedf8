"""Bitstring Status List v1.0 (and StatusList2021 decoding)."""

from __future__ import annotations

import base64
import gzip
from datetime import UTC, datetime

import pytest

from credstack.vc import canon, status
from credstack.vc.errors import StatusListError

from .helpers import DCC, load


def test_index_zero_is_the_most_significant_bit_of_the_first_byte():
    bits = status.StatusBits()
    bits.set(0, True)
    bits.set(9, True)
    bits.set(131071, True)
    raw = bits.to_bytes()
    assert (raw[0], raw[1], raw[-1]) == (0x80, 0x40, 0x01)
    assert [i for i in (0, 1, 8, 9, 131071) if bits.get(i)] == [0, 9, 131071]
    bits.set(9, False)
    assert not bits.get(9) and bits.to_bytes()[1] == 0


def test_encoding_is_multibase_base64url_gzip_without_padding():
    bits = status.StatusBits()
    bits.set(42, True)
    encoded = bits.encode()
    assert encoded.startswith("uH4sI") and "=" not in encoded and "+" not in encoded and "/" not in encoded
    raw = gzip.decompress(base64.urlsafe_b64decode(encoded[1:] + "=" * (-len(encoded[1:]) % 4)))
    assert raw == bits.to_bytes() and len(raw) == 131072 // 8


def test_round_trips():
    bits = status.StatusBits(131072 * 2)
    for index in (0, 7, 8, 99_999, 262_143):
        bits.set(index, True)
    decoded = status.StatusBits.decode(bits.encode())
    assert decoded.size == 262_144 and decoded.to_bytes() == bits.to_bytes()
    assert status.StatusBits.from_bytes(bits.to_bytes()).to_bytes() == bits.to_bytes()


def test_the_dcc_list_decodes_with_bits_2_6_and_8_set():
    subject = load(DCC / "statusLists" / "didkey-ed25519Signature2020" / "e5WK8CbZ1GjycuPombrj")[
        "credentialSubject"
    ]
    bits = status.StatusBits.decode(subject["encodedList"])
    assert bits.size == 100_000
    assert [i for i in range(bits.size) if bits.get(i)] == [2, 6, 8]


def test_status_list_2021_lists_have_no_multibase_prefix():
    bits = status.StatusBits()
    bits.set(3, True)
    legacy = bits.encode()[1:]
    assert status.StatusBits.decode_status_list_2021(legacy).get(3)
    with pytest.raises(StatusListError, match="starts with 'u'"):
        status.StatusBits.decode(legacy)


@pytest.mark.parametrize(
    "encoded",
    [
        "u",
        "u!!!",
        "uAAAA",
        "u" + base64.urlsafe_b64encode(b"not gzip").decode(),
        "u" + base64.urlsafe_b64encode(gzip.compress(b"\x00" * 100, mtime=0)[:-10]).decode(),
    ],
)
def test_malformed_lists_are_refused(encoded):
    with pytest.raises(StatusListError):
        status.StatusBits.decode(encoded)


def test_gzip_bombs_are_refused():
    bomb = gzip.compress(b"\x00" * (status.MAX_DECODED_BYTES + 1))
    with pytest.raises(StatusListError, match="larger than"):
        status.StatusBits.decode("u" + base64.urlsafe_b64encode(bomb).decode().rstrip("="))


@pytest.mark.parametrize("size", [8, 131071, 131072 + 4, 0, -8])
def test_new_lists_have_at_least_the_minimum_size(size):
    with pytest.raises(StatusListError):
        status.StatusBits(size)


@pytest.mark.parametrize("index", [-1, 131072, "3", True, 1.0])
def test_indexes_out_of_range_are_refused(index):
    with pytest.raises(StatusListError):
        status.StatusBits().get(index)


def test_entry_and_list_credential():
    url = "https://academy.example/status/1/revocation"
    assert status.entry(url, 94567, "revocation") == {
        "id": f"{url}#94567",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": "94567",
        "statusListCredential": url,
    }
    credential = status.list_credential(
        url,
        "did:web:academy.example",
        "revocation",
        status.StatusBits().encode(),
        datetime(2025, 6, 1, tzinfo=UTC),
        datetime(2025, 7, 1, tzinfo=UTC),
    )
    assert credential["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert credential["credentialSubject"]["type"] == "BitstringStatusList"
    assert credential["credentialSubject"]["id"] == f"{url}#list"
    assert (credential["validFrom"], credential["validUntil"]) == (
        "2025-06-01T00:00:00Z",
        "2025-07-01T00:00:00Z",
    )
    assert canon.canonicalize(credential)
    with pytest.raises(StatusListError):
        status.entry(url, 1, "refresh")
    with pytest.raises(StatusListError):
        status.entry(url, -1, "suspension")


def test_revocation_sets_the_suspension_bit_too_only_for_one_suspension_entry():
    """Decision 0032: a credential naming only a suspension entry gets that bit set for good when revoked
    (so every verifier refuses it); one naming a revocation entry (issued before 0032) keeps its bits."""
    one = {"credentialStatus": status.entry("https://a.example/s/1/suspension", 3, "suspension")}
    two = {
        "credentialStatus": [
            status.entry("https://a.example/s/1/revocation", 3, "revocation"),
            status.entry("https://a.example/s/1/suspension", 3, "suspension"),
        ]
    }
    assert status.revocation_purposes(one) == ("revocation", "suspension")
    assert status.revocation_purposes(two) == ("revocation",)
    assert status.purposes_of(two) == ["revocation", "suspension"]
    assert status.ISSUED_PURPOSES == ("suspension",)
