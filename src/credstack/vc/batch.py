"""Signing a chunk of documents in a worker process (``credstack.organizations.signing`` sends chunks of a
large batch here when it is told to use several processes).

Pure (no Django): a spawned worker imports only this module and what it needs. The worker returns each
signed document with the bytes it signed; the parent checks every signature against the key's published
public half before anything leaves the signer, so a worker never has the last word.
"""

from __future__ import annotations

import json
import os
import threading
import time
from datetime import datetime
from typing import Any

from . import keys, proofs


def exit_with_parent(parent: int) -> None:
    """Pool initializer: end this worker once the process that started it is gone. A parent killed with
    SIGKILL cannot stop its pool, and a worker waiting for its next chunk would wait for ever."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(0)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


class SignatureMismatch(RuntimeError):
    """A document signed in a worker did not verify with the published public key."""


# (verification method, public key) pairs this worker has verified a signed document of in full
_fully_verified: set[tuple[str, bytes]] = set()


def sign_checked_chunk(
    seed: bytes,
    public: bytes,
    verification_method: str,
    created: datetime | str,
    documents: list[dict[str, Any]],
    as_list: bool,
) -> list[str]:
    """Sign each document, check each signature with ``public`` (the half the DID document publishes,
    given by the parent: not derived from ``seed``) and return each signed document as compact JSON
    (decision 0066: signing, the check and the serialisation all happen here, off the issuing process).

    The first document of a key in this process is verified in full, as a verifier would (canonicalize
    the signed copy again); every later one by its signature over the bytes that were signed (decision
    0033). Raises :class:`SignatureMismatch` when one does not verify: nothing of the chunk is returned.
    """
    key = keys.Ed25519Key.from_private_bytes(seed)
    out: list[str] = []
    for document in documents:
        data: list[bytes] = []
        signed = proofs.sign(
            document, key, verification_method, created=created, as_list=as_list, on_data=data.append
        )
        if (verification_method, public) not in _fully_verified:
            check = proofs.verify(signed, lambda vm: public if vm == verification_method else None)
            if not check.verified:
                raise SignatureMismatch(f"failed verification right after signing: {check.error}")
            _fully_verified.add((verification_method, public))
        else:
            proof = signed["proof"]
            value = (proof[-1] if isinstance(proof, list) else proof)["proofValue"]
            if not keys.verify_signature(public, keys.multibase_decode(value), data[0]):
                raise SignatureMismatch(
                    "failed verification right after signing: the signature does not verify with the "
                    "published public key"
                )
        out.append(json.dumps(signed, ensure_ascii=False, separators=(",", ":")))
    return out
