"""``credstack verify``: a credential file, URL or standard input verified (no database needed)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from credstack.fetch import FetchError, fetch_bytes, http_fetch
from credstack.vc import verify as vc_verify
from credstack.verifier.extract import extract

from .common import EXIT_INVALID, EXIT_UNREADABLE, EXIT_VALID, fail

MAX_INPUT = 20 * 1024 * 1024


def _read_credential(source: str) -> dict | str:
    if source.startswith(("http://", "https://")):
        raw = fetch_bytes(
            source,
            accept="application/vc+ld+json, application/vc+jwt, application/ld+json;q=0.9",
            max_bytes=MAX_INPUT,
        )
    elif source == "-":
        raw = sys.stdin.buffer.read(MAX_INPUT + 1)
    else:
        path = Path(source)
        if path.stat().st_size > MAX_INPUT:
            raise ValueError(f"{source} is larger than {MAX_INPUT // 1024 // 1024} MiB")
        raw = path.read_bytes()
    if len(raw) > MAX_INPUT:
        raise ValueError(f"input is larger than {MAX_INPUT // 1024 // 1024} MiB")
    # JSON, a JWT, a PDF certificate (its attachment) or a baked PNG/SVG badge
    found = extract(raw)
    if found.credential is None and not found.jwt:
        raise ValueError(found.explanation)
    return found.jwt or found.credential or {}  # a JWT-secured credential is verified as the token


def cmd_verify(args) -> int:
    try:
        doc = _read_credential(args.source)
    except (OSError, ValueError, FetchError) as exc:
        return fail(f"cannot read {args.source}: {exc}", EXIT_UNREADABLE)
    report = vc_verify.verify_credential(doc, fetch=None if args.offline else http_fetch)
    if args.json:
        print(json.dumps(report.to_dict(), indent=2, ensure_ascii=False))
    else:
        print(f"{report.status.upper()}: {args.source}")
        for check in report.checks:
            mark = "ok" if check.ok else "not checked" if check.ok is None else "FAIL"
            print(f"  [{mark}] {check.name}: {check.message}")
    return EXIT_VALID if report.valid else EXIT_INVALID


def add_parsers(sub) -> None:
    """The ``verify`` command."""
    p = sub.add_parser("verify", help="verify a credential file or URL (no database needed)")
    p.add_argument("source", help="a JSON file, '-' for standard input, or a credential URL")
    p.add_argument("--json", action="store_true", help="print the whole report as JSON")
    p.add_argument(
        "--offline", action="store_true", help="fetch nothing (did:key issuers only; status unchecked)"
    )
    p.set_defaults(func=cmd_verify, django=False)
