"""Verification speed per cryptosuite of other issuers' credentials (the fixtures of ``tests/vc``), on
one core: ``verify_credential`` end to end (did:key, no status list).

    PYTHONPATH=src .venv/bin/python benchmarks/verify_suites.py [--seconds 1.0]

Each figure is the median of 5 runs of about ``--seconds`` / 5 each, after a warm-up.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

from credstack.vc import verify

FIXTURES = Path(__file__).resolve().parents[1] / "tests" / "vc" / "fixtures"
CASES = {
    "ecdsa-rdfc-2019, P-256": "ecdsa/p-256.json",
    "ecdsa-rdfc-2019, P-384": "ecdsa/p-384.json",
    "ecdsa-sd-2023 derived (P-256, 20 of 40 statements disclosed)": "ecdsa-sd/p-256-derived.json",
    "ecdsa-sd-2023 base (P-256, 40 statements, 4 mandatory pointers)": "ecdsa-sd/p-256-base.json",
}


def per_op(doc: dict, seconds: float) -> float:
    verify.verify_credential(doc)
    runs = []
    for _ in range(5):
        count, start = 0, time.perf_counter()
        while time.perf_counter() - start < seconds / 5:
            report = verify.verify_credential(doc)
            count += 1
        assert report.status == "valid", report.to_dict()
        runs.append((time.perf_counter() - start) / count * 1000)
    return statistics.median(runs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=1.0)
    args = parser.parse_args()
    print("| credential | ms/op | ops/s per core |\n|---|---:|---:|")
    for name, path in CASES.items():
        ms = per_op(json.loads((FIXTURES / path).read_text("utf-8")), args.seconds)
        print(f"| {name} | {ms:.2f} | {1000 / ms:,.0f} |")


if __name__ == "__main__":
    main()
