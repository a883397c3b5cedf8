"""Signing a chunk of documents in a worker process (``credstack.organizations.signing`` sends chunks of a
large batch here when it is told to use several processes).

Pure (no Django): a spawned worker imports only this module and what it needs. The worker returns each
signed document with the bytes it signed; the parent checks every signature against the key's published
public half before anything leaves the signer, so a worker never has the last word.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from . import keys, proofs


def sign_chunk(
    seed: bytes,
    verification_method: str,
    created: datetime | str,
    documents: list[dict[str, Any]],
    as_list: bool,
) -> list[tuple[dict[str, Any], bytes]]:
    """Sign each document with the Ed25519 key of ``seed``; return ``(signed, signed bytes)`` pairs."""
    key = keys.Ed25519Key.from_private_bytes(seed)
    out: list[tuple[dict[str, Any], bytes]] = []
    for document in documents:
        data: list[bytes] = []
        signed = proofs.sign(
            document, key, verification_method, created=created, as_list=as_list, on_data=data.append
        )
        out.append((signed, data[0]))
    return out
