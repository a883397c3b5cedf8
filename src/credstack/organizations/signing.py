"""The one signer: every document the platform signs is signed here, and verified right after signing.

Credentials (issue and the expiry re-sign), status list credentials and the portfolio's CLR credential all
go through :func:`sign` or a :class:`Signer`. Each signature is checked at once with the public key the
DID document publishes (``SigningKey.public_multibase``), so a document signed by a sealed key that does
not match its published half never leaves this module.

The check reuses the bytes that were signed (the two canonical hashes) instead of canonicalizing the
document a second time (decision 0033): the first document a key signs in a process is verified in full,
as any verifier would (canonicalize the signed copy again, recompute the proof configuration, check);
every later one by checking its ``proofValue`` against the signed bytes with the published key.

A :class:`Signer` unseals its key once: a batch signs many documents with one loaded key.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from credstack.vc import keys, proofs

from .models import SigningKey


class SigningError(RuntimeError):
    """A document failed verification right after it was signed: nothing signed is returned."""


# (verification method, public key) pairs this process has verified a signed document of in full
_fully_verified: set[tuple[str, bytes]] = set()


class Signer:
    """An unsealed signing key, ready to sign many documents.

    Keep it no longer than the work at hand: it holds the private key in memory.
    """

    def __init__(self, key: SigningKey) -> None:
        self.key = key
        self.verification_method = key.verification_method
        self._private = key.load()
        self._public = key.public_key()

    def __repr__(self) -> str:  # never show key material
        return f"<Signer {self.verification_method}>"

    def _resolve(self, verification_method: str) -> bytes | None:
        return self._public if verification_method == self.verification_method else None

    def sign(self, document: dict, created: datetime | str | None = None, as_list: bool = False) -> dict:
        """A copy of ``document`` with an ``eddsa-rdfc-2022`` proof, checked before it is returned.

        ``created`` defaults to now; ``as_list``: ``proof`` is a list of one (Open Badges 3.0's JSON
        binding). Raises :class:`SigningError` if the signature does not verify with the key's published
        public key (the first signature of a key in a process: if the signed copy does not verify in
        full), and what :func:`credstack.vc.proofs.sign` raises for a document that cannot be signed.
        """
        signed_data: list[bytes] = []
        signed = proofs.sign(
            document,
            self._private,
            self.verification_method,
            created=created,
            as_list=as_list,
            on_data=signed_data.append,
        )
        pair = (self.verification_method, self._public)
        if pair not in _fully_verified:
            check = proofs.verify(signed, self._resolve)
            if not check.verified:
                raise SigningError(
                    f"a document signed with {self.verification_method} failed verification right after "
                    f"signing: {check.error}"
                )
            _fully_verified.add(pair)
        elif not keys.verify_signature(
            self._public, keys.multibase_decode(_proof_value(signed)), signed_data[0]
        ):
            raise SigningError(
                f"a document signed with {self.verification_method} failed verification right after "
                "signing: the signature does not verify with the published public key"
            )
        return signed

    def sign_many(self, documents: Iterable[dict], created: datetime | str | None = None) -> list[dict]:
        """Sign (and verify) each document, all with one ``created``: the proof configuration is then
        canonicalized once for the whole batch."""
        return [self.sign(document, created=created) for document in documents]


def _proof_value(signed: dict) -> str:
    proof = signed["proof"]
    return (proof[-1] if isinstance(proof, list) else proof)["proofValue"]


def sign(
    document: dict, key: SigningKey, created: datetime | str | None = None, as_list: bool = False
) -> dict:
    """Sign one document with ``key`` and verify it (see :meth:`Signer.sign`)."""
    return Signer(key).sign(document, created=created, as_list=as_list)
