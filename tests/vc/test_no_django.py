"""``credstack.vc`` is a library: importing it pulls in no Django (and no HTTP client)."""

from __future__ import annotations

import subprocess
import sys

CODE = """
import importlib, pkgutil, sys
import credstack.vc as vc
for module in pkgutil.walk_packages(vc.__path__, "credstack.vc."):
    importlib.import_module(module.name)
from credstack.vc import canon, contexts, did, keys, ob3, proofs, status, verify
loaded = sorted(m for m in sys.modules if m.split(".")[0] in ("django", "requests", "aiohttp", "httpx"))
print(loaded)
sys.exit(1 if loaded else 0)
"""


def test_importing_credstack_vc_loads_no_django():
    result = subprocess.run([sys.executable, "-c", CODE], capture_output=True, text=True, env={"PATH": ""})
    assert result.returncode == 0, result.stdout + result.stderr
