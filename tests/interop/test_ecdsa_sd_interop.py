"""ecdsa-sd-2023 credentials made afresh by Digital Bazaar's suite (``interop/make-ecdsa-sd.mjs``: a new
issuer key, one-time key and HMAC key each run) verify in credstack; the committed fixtures of
``tests/vc/fixtures/ecdsa-sd/`` are one such run."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from credstack.vc import sd, verify

from .conftest import ensure_node_modules
from .verifier import INTEROP_DIR

pytestmark = pytest.mark.interop
UNSIGNED = Path(__file__).resolve().parents[1] / "vc" / "fixtures" / "proof-sets" / "unsigned.json"


def test_fresh_base_and_derived_credentials_verify(tmp_path):
    ensure_node_modules()
    run = subprocess.run(
        [shutil.which("node") or "node", "make-ecdsa-sd.mjs", str(UNSIGNED), str(tmp_path)],
        cwd=INTEROP_DIR,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    base = json.loads((tmp_path / "p-256-base.json").read_text())
    derived = json.loads((tmp_path / "p-256-derived.json").read_text())
    assert isinstance(sd.parse_proof_value(base["proof"]["proofValue"]), sd.BaseProof)
    assert isinstance(sd.parse_proof_value(derived["proof"]["proofValue"]), sd.DerivedProof)
    for doc, kind in ((base, "base"), (derived, "derived")):
        report = verify.verify_credential(doc)
        assert report.status == "valid", report.to_dict()
        [check] = [c for c in report.checks if c.name == "proof"]
        assert check.details["disclosure"] == kind
    derived["credentialSubject"]["name"] = "Mallory Forger"
    assert verify.verify_credential(derived).status == "invalid"
