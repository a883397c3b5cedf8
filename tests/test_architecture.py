"""The shape docs/architecture.md describes, enforced (the import layers: tests/test_layers.py)."""

import subprocess
import sys

import pytest


@pytest.mark.parametrize("package", ["credstack.vc", "credstack.render"])
def test_the_pure_cores_import_no_django(package):
    code = (
        f"import sys, pkgutil, importlib, {package} as pkg\n"
        f"for m in pkgutil.walk_packages(pkg.__path__, '{package}.'): importlib.import_module(m.name)\n"
        "bad = sorted(m for m in sys.modules if m == 'django' or m.startswith('django.'))\n"
        "print(bad); sys.exit(1 if bad else 0)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env={"PATH": ""})
    assert result.returncode == 0, result.stdout + result.stderr


def test_verify_command_runs_without_a_database(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "credstack.cli", "verify", str(tmp_path / "missing.json")],
        capture_output=True,
        text=True,
        env={"PATH": "", "CREDSTACK_HOME": "/nonexistent/x"},
    )
    assert result.returncode == 2, result.stderr
    assert "django" not in result.stderr.lower()
