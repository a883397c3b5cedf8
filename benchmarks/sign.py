"""Signing and verification speed of a typical Open Badges 3.0 credential, on one core.

    .venv/bin/python benchmarks/sign.py [--seconds 1.0]

Each figure is the median of 5 runs of about ``--seconds`` / 5 each, after a warm-up; "first" is the
first call in a fresh process (bundled contexts not yet processed).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from credstack.vc import canon, did, keys, ob3, proofs, status, verify

BASE = "http://127.0.0.1:8000"
NOW = datetime(2026, 1, 1, tzinfo=UTC)


def issuer_did() -> str:
    return did.did_web_for(BASE, "orgs/demo-academy")


def list_url(purpose: str) -> str:
    return f"{BASE}/status/Xo3k9QmYbV2/{purpose}"


def credential(issuer: str) -> dict:
    """A typical credential as credstack issues it."""
    return ob3.compose(
        issuer={
            "id": issuer,
            "name": "Demo Academy",
            "url": "https://academy.example",
            "email": "certs@academy.example",
            "image": "https://academy.example/logo.png",
        },
        achievement={
            "id": f"{BASE}/a/4kT9sQ",
            "name": "Python Basics",
            "description": "Six short lessons on Python, each followed by a quiz.",
            "criteria": {"narrative": "Complete all six lessons and pass every quiz with 80% or more."},
            "image": f"{BASE}/a/4kT9sQ/badge.png",
            "achievement_type": "Course",
            "tags": ["python", "programming", "beginner"],
            "alignments": [
                {
                    "name": "Programming",
                    "url": "https://example.org/skills/programming",
                    "framework": "Example Skills",
                }
            ],
        },
        recipient_email="ada@example.org",
        recipient_name="Ada Lovelace",
        credential_id=f"{BASE}/c/bq_Uct3XjgcWGzBrXG2N4A",
        valid_from=datetime(2025, 6, 1, tzinfo=UTC),
        status_entries=[status.entry(list_url(p), 94567, p) for p in status.PURPOSES],
    )


def setup() -> dict:
    key = keys.Ed25519Key.from_private_bytes(bytes(range(32)))
    issuer = issuer_did()
    vm = f"{issuer}#key-1"
    documents = {did.did_web_url(issuer): did.did_document(issuer, [("key-1", key.public_multibase)])}
    for purpose in status.PURPOSES:
        unsigned = status.list_credential(
            list_url(purpose), issuer, purpose, status.StatusBits().encode(), NOW - timedelta(days=1)
        )
        documents[list_url(purpose)] = proofs.sign(unsigned, key, vm)
    unsigned = credential(issuer)
    signed = proofs.sign(unsigned, key, vm, created="2025-06-01T00:00:00Z")
    return {"key": key, "vm": vm, "credential": unsigned, "signed": signed, "documents": documents}


def rate(fn: Callable[[], object], seconds: float) -> float:
    """Median seconds per call."""
    for _ in range(20):
        fn()
    runs = []
    for _ in range(5):
        count, started = 0, time.perf_counter()
        deadline = started + seconds / 5
        while (now := time.perf_counter()) < deadline or count == 0:
            fn()
            count += 1
        runs.append((now - started) / count)
    return statistics.median(runs)


def first_sign_ms() -> float:
    """Time of the first sign in a fresh process (the bundled contexts are processed then)."""
    script = (
        f"import sys, time; sys.path.insert(0, {str(Path(__file__).parent)!r}); import sign as b\n"
        "from credstack.vc import keys, proofs\n"
        "key = keys.Ed25519Key.generate(); doc = b.credential(b.issuer_did())\n"
        "t = time.perf_counter(); proofs.sign(doc, key, b.issuer_did() + '#key-1')\n"
        "print((time.perf_counter() - t) * 1000)\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    return float(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=1.0, help="time per measurement (default 1.0)")
    args = parser.parse_args()
    s = setup()
    key, vm, credential, signed, documents = s["key"], s["vm"], s["credential"], s["signed"], s["documents"]
    fetch = documents.__getitem__
    created = iter(range(10**9))

    def sign_fresh_created() -> None:
        proofs.sign(credential, key, vm, created=NOW + timedelta(seconds=next(created)))

    data = b"x" * 64
    signature = key.sign(data)
    rows = [
        ("Ed25519 sign (64 bytes)", lambda: key.sign(data)),
        ("Ed25519 verify (64 bytes)", lambda: keys.verify_signature(key.public_bytes(), signature, data)),
        ("canonicalize credential (RDFC-1.0)", lambda: canon.canonicalize(credential)),
        ("canonicalize, general path (pyld)", lambda: canon.canonicalize(credential, fast=False)),
        (
            "sign, batch (same created + key)",
            lambda: proofs.sign(credential, key, vm, created="2025-06-01T00:00:00Z"),
        ),
        ("sign, new created each time", sign_fresh_created),
        ("verify proof (key known)", lambda: proofs.verify(signed, lambda _: key.public_bytes())),
        (
            "verify_credential (did:web + 2 status lists)",
            lambda: verify.verify_credential(signed, fetch, NOW),
        ),
    ]
    assert verify.verify_credential(signed, fetch, NOW).valid
    print(f"credential: {len(str(signed))} characters, {canon.canonicalize(credential).count(chr(10))} quads")
    print(f"{'operation':48} {'ms/op':>8} {'ops/s per core':>15}")
    for name, fn in rows:
        seconds = rate(fn, args.seconds)
        print(f"{name:48} {seconds * 1000:8.3f} {1 / seconds:15,.0f}")
    print(f"{'first sign in a fresh process (cold contexts)':48} {first_sign_ms():8.1f}")


if __name__ == "__main__":
    main()
