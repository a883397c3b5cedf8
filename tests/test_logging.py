"""A server error is logged with its traceback (issue 11: with a read-only home every page answered 500
and the log had no traceback, because only the `credstack` logger had a handler)."""

from __future__ import annotations

import subprocess
import sys


def test_the_production_logging_prints_a_server_errors_traceback(tmp_path):
    script = f"""
import logging.config, os
os.environ["CREDSTACK_HOME"] = {str(tmp_path)!r}
from credstack.config import settings
logging.config.dictConfig(settings.LOGGING)
try:
    raise OSError(30, "Read-only file system")
except OSError:
    logging.getLogger("django.request").error("Internal Server Error: /c/x", exc_info=True)
logging.getLogger("credstack.test").info("one line, printed once")
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "ERROR django.request: Internal Server Error: /c/x" in done.stderr
    assert "Traceback (most recent call last)" in done.stderr and "Read-only file system" in done.stderr
    assert done.stderr.count("one line, printed once") == 1
