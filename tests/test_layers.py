"""The layers of docs/architecture.md, checked by import-linter (contracts in pyproject.toml)."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_import_contracts_hold():
    """A lower layer importing a higher one, two apps of one layer importing each other, Django in the
    pure cores, or an `ignore_imports` entry that no longer matches (delete it) fails here."""
    lint_imports = Path(sys.executable).with_name("lint-imports")
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}  # check this checkout's source, not an install
    result = subprocess.run(
        [str(lint_imports), "--no-logo", "--no-cache", str(ROOT / "pyproject.toml")],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout
