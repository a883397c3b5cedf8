"""The one signer: every document the platform signs is signed here, and verified right after signing.

Credentials (issue and the expiry re-sign), status list credentials and the portfolio's CLR credential all
go through :func:`sign` or a :class:`Signer`; the JWT form of a credential a wallet asks for (decision 0065)
through :meth:`Signer.sign_jwt`. Each signature is checked at once with the public key the
DID document publishes (``SigningKey.public_multibase``), so a document signed by a sealed key that does
not match its published half never leaves this module.

The check reuses the bytes that were signed (the two canonical hashes) instead of canonicalizing the
document a second time (decision 0033): the first document a key signs in a process is verified in full,
as any verifier would (canonicalize the signed copy again, recompute the proof configuration, check);
every later one by checking its ``proofValue`` against the signed bytes with the published key.

A :class:`Signer` unseals its key once: a batch signs many documents with one loaded key.
"""

from __future__ import annotations

import atexit
import json
import multiprocessing
import os
import threading
from collections.abc import Iterable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import UTC, datetime

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from credstack.vc import batch, jose, keys, proofs

from .models import SigningKey


class SigningError(RuntimeError):
    """A document failed verification right after it was signed: nothing signed is returned."""


# (verification method, public key) pairs this process has verified a signed document of in full
_fully_verified: set[tuple[str, bytes]] = set()


class Signer:
    """An unsealed signing key, ready to sign many documents.

    Keep it no longer than the work at hand: it holds the private key in memory.
    """

    def __init__(self, key: SigningKey, controller: str | None = None) -> None:
        """``controller``: sign as this DID of the key's owner (an organization's earlier DID, whose
        documents list the same keys: decision 0049); default its current one."""
        self.key = key
        self.verification_method = f"{controller}#{key.fragment}" if controller else key.verification_method
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
        self._check(signed, signed_data[0])
        return signed

    def sign_jwt(self, claims: dict, typ: str = "JWT") -> str:
        """A compact JWS (``EdDSA``, ``kid`` = this key's verification method) over ``claims``, checked
        with the published public key before it is returned (raises :class:`SigningError`).

        ``typ`` defaults to ``JWT``, the one value Open Badges 3.0 §8.2 allows."""
        token = jose.sign(claims, self._private, self.verification_method, "EdDSA", typ=typ)
        error = jose.check_signature(jose.decode(token), Ed25519PublicKey.from_public_bytes(self._public))
        if error:
            raise SigningError(
                f"a JWT signed with {self.verification_method} failed verification right after signing: {error}"
            )
        return token

    def sign_many(
        self,
        documents: Iterable[dict],
        created: datetime | str | None = None,
        as_list: bool = False,
        processes: int = 1,
    ) -> list[dict]:
        """Sign (and check) each document, all with one ``created``: the proof configuration is then
        canonicalized once for the whole batch. ``processes`` > 1: through :meth:`submit`'s signing
        processes (one parallel path: each signature checked there against the published public key)."""
        documents = list(documents)
        if processes <= 1 or len(documents) < PARALLEL_MIN:
            return [self.sign(document, created=created, as_list=as_list) for document in documents]
        return [json.loads(text) for text in self.submit(documents, created, as_list, processes).result()]

    def submit(
        self,
        documents: Iterable[dict],
        created: datetime | str | None = None,
        as_list: bool = False,
        processes: int = 1,
    ) -> Signing:
        """Start signing ``documents`` (all with one ``created``) and return at once: ``result()`` of
        what is returned gives each signed document as compact JSON, in order.

        ``processes`` > 1 and at least ``PARALLEL_MIN`` documents: the batch is signed in chunks by that
        many worker processes while the caller goes on (the bulk job inserts the previous chunk meanwhile,
        decision 0066). Each worker also checks each of its signatures against the public key the DID
        document publishes, given to it here (not derived from the private key it signs with), and
        serialises the document; a signature that does not verify makes ``result()`` raise
        :class:`SigningError`. Otherwise the documents are signed and checked here before this returns.
        """
        documents = list(documents)
        created = created or datetime.now(UTC).replace(microsecond=0)
        if processes <= 1 or len(documents) < PARALLEL_MIN:
            return Signing(
                self.verification_method,
                done=[_compact(self.sign(d, created=created, as_list=as_list)) for d in documents],
            )
        pool = _pool(processes)
        size = -(-len(documents) // processes)
        seed = self._private.private_bytes()
        try:
            futures = [
                pool.submit(
                    batch.sign_checked_chunk,
                    seed,
                    self._public,
                    self.verification_method,
                    created,
                    documents[i : i + size],
                    as_list,
                )
                for i in range(0, len(documents), size)
            ]
        except BrokenProcessPool:
            _discard(pool)
            raise
        return Signing(self.verification_method, futures=futures, pool=pool)

    def _check(self, signed: dict, data: bytes) -> None:
        pair = (self.verification_method, self._public)
        if pair not in _fully_verified:
            check = proofs.verify(signed, self._resolve)
            if not check.verified:
                raise SigningError(
                    f"a document signed with {self.verification_method} failed verification right after "
                    f"signing: {check.error}"
                )
            _fully_verified.add(pair)
        elif not keys.verify_signature(self._public, keys.multibase_decode(_proof_value(signed)), data):
            raise SigningError(
                f"a document signed with {self.verification_method} failed verification right after "
                "signing: the signature does not verify with the published public key"
            )


class Signing:
    """Documents being signed (:meth:`Signer.submit`)."""

    def __init__(
        self,
        verification_method: str,
        *,
        done: list[str] | None = None,
        futures: list[Future] | None = None,
        pool: ProcessPoolExecutor | None = None,
    ) -> None:
        self.verification_method = verification_method
        self._done, self._futures, self._pool = done, futures or [], pool

    def result(self) -> list[str]:
        """Each signed document as compact JSON, in order; waits for the workers. Raises
        :class:`SigningError` if a signature failed its check (and ``BrokenProcessPool`` if a worker
        died: the pool is then dropped, the next batch starts a new one)."""
        if self._done is None:
            out: list[str] = []
            try:
                for future in self._futures:
                    out.extend(future.result())
            except batch.SignatureMismatch as exc:
                raise SigningError(f"a document signed with {self.verification_method} {exc}") from exc
            except BrokenProcessPool:
                if self._pool is not None:
                    _discard(self._pool)
                raise
            self._done = out
        return self._done

    def cancel(self) -> None:
        """Drop what is not signed yet (the caller stopped)."""
        for future in self._futures:
            future.cancel()


def _compact(document: dict) -> str:
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"))


# Below this many documents a batch is signed in this process: a pool round trip costs more.
PARALLEL_MIN = 64
# (process id, size) -> pool: a process forked after starting a pool (a server's workers) starts its own
_pools: dict[tuple[int, int], ProcessPoolExecutor] = {}
_pools_lock = threading.Lock()


def _pool(processes: int) -> ProcessPoolExecutor:
    """A pool of ``processes`` spawned workers (spawn: nothing of this process's state, connections or
    threads is copied into them), started on first use and kept for the life of the process: a
    ``credstack worker`` signs every job's chunks with the same workers. Stopped by
    :func:`shutdown_pools` (the worker command calls it when it stops; at exit otherwise)."""
    key = (os.getpid(), processes)
    with _pools_lock:  # two threads of a web process: one pool
        if key not in _pools:
            _pools[key] = _start_pool(processes)
        return _pools[key]


def _start_pool(processes: int) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(
        processes,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=batch.exit_with_parent,  # a worker outlives no parent killed with SIGKILL
        initargs=(os.getpid(),),
    )


def _discard(pool: ProcessPoolExecutor) -> None:
    for key, kept in list(_pools.items()):
        if kept is pool:
            del _pools[key]
    pool.shutdown(wait=False, cancel_futures=True)


def shutdown_pools() -> None:
    """Stop this process's signing worker processes and wait for them (they are started again on the
    next large batch)."""
    pid = os.getpid()
    for key in [k for k in _pools if k[0] == pid]:
        _pools.pop(key).shutdown(wait=True, cancel_futures=True)


atexit.register(shutdown_pools)


def _proof_value(signed: dict) -> str:
    proof = signed["proof"]
    return (proof[-1] if isinstance(proof, list) else proof)["proofValue"]


def sign(
    document: dict,
    key: SigningKey,
    created: datetime | str | None = None,
    as_list: bool = False,
    controller: str | None = None,
) -> dict:
    """Sign one document with ``key`` (as ``controller``, see :class:`Signer`) and verify it (see
    :meth:`Signer.sign`)."""
    return Signer(key, controller).sign(document, created=created, as_list=as_list)
