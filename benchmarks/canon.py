"""Per-credential signing loop, before and after the fast path for known shapes (decision 0033).

    .venv/bin/python benchmarks/canon.py [--count 2000] [--processes 1 2]

Each credential is distinct (its own id, recipient, salt, name in one of several scripts, one to three
status entries), composed by ``credstack.vc.ob3.compose``, and signed with one key and one ``created``,
as a batch is. Measured per configuration:

- **before**: pyld's general path for every canonicalization (the fast path declined), and the signer's
  old check: a full ``proofs.verify`` of each signed credential (a second canonicalization);
- **after**: the fast path, and the signer's check over the signed bytes with the public key (the first
  credential of each process verified in full, as ``credstack.organizations.signing.Signer`` does).

Also split per stage (one process, CPU time): ``js_json``+checks, quads, RDFC-1.0, Ed25519 sign and verify. Reports
credentials/s with one process and with N processes each signing ``count / N`` credentials (wall clock,
start-up and composition excluded), and the machine's load average, which matters on a shared machine.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import platform
import statistics
import time
from datetime import UTC, datetime
from typing import Any

from credstack.vc import canon, keys, ob3, proofs, rdfc, shapes, status

NAMES = ["Ada Lovelace", "محمد الفارسي", "王小明", "Ольга Петрова", "प्रिया शर्मा", "אביגיל בן-דוד", "Zoë 🎓"]
BASE = "https://academy.example"
VM = "did:web:academy.example:orgs:demo#key-1"
CREATED = "2026-01-01T00:00:00Z"


def credentials(count: int, offset: int = 0) -> list[dict[str, Any]]:
    out = []
    for n in range(offset, offset + count):
        purposes = status.PURPOSES[: 1 + n % 2]
        out.append(
            ob3.compose(
                issuer={
                    "id": "did:web:academy.example:orgs:demo",
                    "name": "Demo Academy",
                    "url": BASE,
                    "image": f"{BASE}/logo.png",
                },
                achievement={
                    "id": f"{BASE}/a/python-basics",
                    "name": "Python Basics",
                    "description": "Six short lessons on Python, each followed by a quiz.",
                    "criteria": {"narrative": "Complete all six lessons and pass every quiz."},
                    "image": f"{BASE}/logo.png",
                    "achievement_type": "Course",
                    "tags": ["python", "programming"],
                    "alignments": [{"name": "Programming", "url": "https://example.org/skills/programming"}],
                },
                recipient_email=f"learner{n}@example.org",
                recipient_name=f"{NAMES[n % len(NAMES)]} {n}",
                credential_id=f"{BASE}/c/{n:08d}",
                valid_from=datetime(2026, 1, 1, tzinfo=UTC),
                result=str(60 + n % 40) if n % 3 == 0 else None,
                status_entries=[status.entry(f"{BASE}/status/{p}", n, p) for p in purposes],
                salt=f"{n:032x}",
            )
        )
    return out


def _decline(*args: object) -> None:
    return None


def sign_loop(mode: str, documents: list[dict[str, Any]]) -> tuple[float, float]:
    """Wall-clock and CPU seconds to sign and check every document in this process."""
    if mode == "before":
        shapes.quads = _decline  # type: ignore[assignment]  # the general path for everything
    key = keys.Ed25519Key.from_private_bytes(bytes(range(32)))
    public = key.public_bytes()
    proofs.sign(documents[0], key, VM, created=CREATED)  # warm: bundled contexts processed
    started, cpu = time.perf_counter(), time.process_time()
    for n, document in enumerate(documents):
        data: list[bytes] = []
        signed = proofs.sign(document, key, VM, created=CREATED, on_data=data.append)
        if mode == "before" or n == 0:
            assert proofs.verify(signed, lambda _: public).verified
        else:
            assert keys.verify_signature(
                public, keys.multibase_decode(signed["proof"]["proofValue"]), data[0]
            )
    return time.perf_counter() - started, time.process_time() - cpu


def _worker(args: tuple[str, int, int]) -> tuple[float, float]:
    mode, count, offset = args
    return sign_loop(mode, credentials(count, offset))


def rate(mode: str, count: int, processes: int) -> tuple[float, float]:
    """Credentials/s with ``processes`` fresh processes (spawned, so 'before' never leaks): by the wall
    clock, and by CPU time (count / the busiest worker's CPU seconds: what the wall clock gives when each
    process has a core to itself, which a shared machine may not give)."""
    ctx = multiprocessing.get_context("spawn")
    share = count // processes
    with ctx.Pool(processes) as pool:
        # compose in the workers before the clock starts: one warm-up task each
        pool.map(_worker, [(mode, 2, 10**6 + i) for i in range(processes)])
        jobs = [(mode, share, i * share) for i in range(processes)]
        started = time.perf_counter()
        times = pool.map(_worker, jobs)
        wall = time.perf_counter() - started
        return share * processes / wall, share * processes / max(cpu for _, cpu in times)


def stages(count: int) -> dict[str, float]:
    """Median ms per credential of each stage of the fast path, one process."""
    documents = credentials(count)
    key = keys.Ed25519Key.from_private_bytes(bytes(range(32)))
    data = b"x" * 64
    signature = key.sign(data)
    processor = canon._SafeProcessor(canon.I18N_DATATYPE)
    js = [canon.js_json(d) for d in documents]
    quads = [canon.to_quads(d) for d in documents]

    def each(fn: Any, items: list[Any]) -> float:
        runs = []
        for _ in range(5):
            started = time.process_time()
            for item in items:
                fn(item)
            runs.append((time.process_time() - started) / len(items) * 1000)
        return statistics.median(runs)

    return {
        "js_json (copy, bounds, JS numbers)": each(canon.js_json, documents),
        "quads, fast path": each(lambda d: shapes.quads(d, processor.process_context, shapes.options()), js),
        "quads, pyld (general path)": each(
            lambda d: canon.to_quads(d, fast=False), documents[: max(50, count // 10)]
        ),
        "RDFC-1.0 (credstack.vc.rdfc)": each(rdfc.canonicalize, quads),
        "canonicalize, fast path": each(canon.canonicalize, documents),
        "Ed25519 sign": each(lambda _: key.sign(data), documents),
        "Ed25519 verify": each(
            lambda _: keys.verify_signature(key.public_bytes(), signature, data), documents
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=2000, help="credentials per measurement (default 2000)")
    parser.add_argument("--processes", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"load average at start: {os.getloadavg()[0]:.2f}")
    print(f"{'stage (fast path, one process)':40} {'ms/credential':>14}")
    for name, ms in stages(min(args.count, 500)).items():
        print(f"{name:40} {ms:14.3f}")
    print(f"\n{'signing loop (sign + check)':28} {'processes':>9} {'credentials/s':>14} {'by CPU time':>12}")
    for mode in ("before", "after"):
        for processes in args.processes:
            wall, cpu = rate(mode, args.count if mode == "after" else args.count // 4, processes)
            print(f"{mode:28} {processes:9} {wall:14,.0f} {cpu:12,.0f}")
    print(f"load average at end: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
