"""W3C Bitstring Status List v1.0: status bits, entries, and the status list credential.

A list is a bitstring of at least :data:`MIN_BITS` entries, gzip-compressed, base64url-encoded without
padding and prefixed ``u`` (multibase). Index 0 is the most significant bit of the first byte.
The older StatusList2021 lists (no ``u`` prefix) can be decoded too, to verify others' credentials.
"""

from __future__ import annotations

import base64
import binascii
import gzip
import zlib
from datetime import datetime
from typing import Any

from credstack.vc import contexts, dates
from credstack.vc.errors import StatusListError

MIN_BITS = 131072
MAX_DECODED_BYTES = 16 * 1024 * 1024  # 134 million entries; refuse bigger lists ("gzip bombs")
PURPOSES = ("revocation", "suspension")
# The one entry a new credential carries (decision 0032): the Open Badges 3.0 schema allows one
# credentialStatus object; a suspension bit can be set and cleared, and the issuer sets it for good on
# revocation too, so every verifier refuses a suspended or revoked credential. The revocation list stays
# published (credentials issued before 0032 point at both lists).
ISSUED_PURPOSES = ("suspension",)
ENTRY_TYPE = "BitstringStatusListEntry"
LIST_CREDENTIAL_TYPE = "BitstringStatusListCredential"
LIST_TYPE = "BitstringStatusList"


class StatusBits:
    """A mutable bitstring of status flags, all clear to start with.

    New lists have at least MIN_BITS entries (the spec's minimum, for herd privacy); decoded lists may be
    smaller.
    """

    __slots__ = ("_bits",)

    def __init__(self, size: int = MIN_BITS) -> None:
        if not isinstance(size, int) or size < MIN_BITS or size % 8:
            raise StatusListError(f"a status list has at least {MIN_BITS} entries, a multiple of 8")
        self._bits = bytearray(size // 8)

    @property
    def size(self) -> int:
        """The number of entries."""
        return len(self._bits) * 8

    def __len__(self) -> int:
        return self.size

    def get(self, index: int) -> bool:
        """The flag at ``index``."""
        byte, mask = self._locate(index)
        return bool(self._bits[byte] & mask)

    def set(self, index: int, value: bool) -> None:
        """Set the flag at ``index`` to ``value``."""
        byte, mask = self._locate(index)
        if value:
            self._bits[byte] |= mask
        else:
            self._bits[byte] &= ~mask & 0xFF

    def _locate(self, index: int) -> tuple[int, int]:
        if not isinstance(index, int) or isinstance(index, bool) or not 0 <= index < self.size:
            raise StatusListError(
                f"status index {index!r} is outside the list (0-{self.size - 1})",
                code="status.index-outside",
                index=index,
                last=self.size - 1,
            )
        return index // 8, 0x80 >> (index % 8)

    def to_bytes(self) -> bytes:
        """The raw bitstring."""
        return bytes(self._bits)

    @classmethod
    def from_bytes(cls, data: bytes) -> StatusBits:
        """A bitstring from raw bytes (as :meth:`to_bytes` gives them)."""
        if not data:
            raise StatusListError("a status list is at least one byte")
        bits = cls.__new__(cls)
        bits._bits = bytearray(data)
        return bits

    def encode(self) -> str:
        """The ``encodedList`` value: ``u`` + base64url(gzip(bits)), no padding."""
        compressed = gzip.compress(bytes(self._bits), mtime=0)
        return "u" + base64.urlsafe_b64encode(compressed).decode("ascii").rstrip("=")

    @classmethod
    def decode(cls, encoded: object) -> StatusBits:
        """Decode a Bitstring Status List ``encodedList`` (``u...``). Raises StatusListError."""
        if not isinstance(encoded, str) or not encoded.startswith("u"):
            raise StatusListError(
                "a Bitstring Status List encodedList starts with 'u' (multibase base64url)",
                code="status.encoded-not-multibase",
            )
        return cls._from_base64url_gzip(encoded[1:])

    @classmethod
    def decode_status_list_2021(cls, encoded: object) -> StatusBits:
        """Decode a StatusList2021 ``encodedList`` (base64url of gzip, no multibase prefix)."""
        if not isinstance(encoded, str):
            raise StatusListError("encodedList must be a string", code="status.encoded-not-string")
        return cls._from_base64url_gzip(encoded)

    @classmethod
    def _from_base64url_gzip(cls, text: str) -> StatusBits:
        try:
            compressed = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
            inflater = zlib.decompressobj(wbits=31)
            data = inflater.decompress(compressed, MAX_DECODED_BYTES + 1)
        except (binascii.Error, ValueError, zlib.error) as exc:
            raise StatusListError(
                f"encodedList is not base64url-encoded gzip data ({exc})",
                code="status.encoded-not-gzip",
                error=str(exc),
            ) from exc
        if len(data) > MAX_DECODED_BYTES:
            raise StatusListError(
                f"the status list is larger than {MAX_DECODED_BYTES} bytes",
                code="status.list-too-large",
                limit=MAX_DECODED_BYTES,
            )
        if not inflater.eof:
            raise StatusListError("encodedList holds truncated gzip data", code="status.encoded-truncated")
        return cls.from_bytes(data)


def entry(list_url: str, index: int, purpose: str) -> dict[str, Any]:
    """A ``BitstringStatusListEntry`` pointing at bit ``index`` of the list credential at ``list_url``."""
    if purpose not in PURPOSES:
        raise StatusListError(f"status purpose {purpose!r} is not one of {', '.join(PURPOSES)}")
    if not isinstance(index, int) or index < 0:
        raise StatusListError(f"status index {index!r} is not a non-negative integer")
    return {
        "id": f"{list_url}#{index}",
        "type": ENTRY_TYPE,
        "statusPurpose": purpose,
        "statusListIndex": str(index),
        "statusListCredential": list_url,
    }


def purposes_of(doc: object) -> list[str]:
    """The status purposes a credential's ``credentialStatus`` names (one entry or a list), in order."""
    entries = doc.get("credentialStatus") if isinstance(doc, dict) else None
    entries = entries if isinstance(entries, list) else [entries] if entries else []
    return [
        e["statusPurpose"] for e in entries if isinstance(e, dict) and isinstance(e.get("statusPurpose"), str)
    ]


def revocation_purposes(doc: object) -> tuple[str, ...]:
    """The bits to set when revoking ``doc``: its revocation bit, and its suspension bit too when it
    names no revocation entry (a credential with one suspension entry, decision 0032), so that every
    verifier sees it is no longer valid."""
    purposes = purposes_of(doc)
    if "revocation" in purposes or "suspension" not in purposes:
        return ("revocation",)
    return ("revocation", "suspension")


def list_credential(
    list_url: str,
    issuer_id: str,
    purpose: str,
    encoded: str,
    valid_from: datetime,
    valid_until: datetime | None = None,
) -> dict[str, Any]:
    """An unsigned ``BitstringStatusListCredential`` for one purpose; sign it with the issuer's key."""
    if purpose not in PURPOSES:
        raise StatusListError(f"status purpose {purpose!r} is not one of {', '.join(PURPOSES)}")
    credential: dict[str, Any] = {
        "@context": [contexts.VC_V2],
        "id": list_url,
        "type": ["VerifiableCredential", LIST_CREDENTIAL_TYPE],
        "issuer": issuer_id,
        "validFrom": dates.format_datetime(valid_from),
    }
    if valid_until is not None:
        credential["validUntil"] = dates.format_datetime(valid_until)
    credential["credentialSubject"] = {
        "id": f"{list_url}#list",
        "type": LIST_TYPE,
        "statusPurpose": purpose,
        "encodedList": encoded,
    }
    return credential
