"""A task for the worker-death test (tests/scheduler/test_leases.py): it records each start, waits until
the test releases it, then records that it finished. Imported by the real worker process by its path."""

from __future__ import annotations

import os
import time
from pathlib import Path

from django_tasks import task


@task()
def block_until_released(folder: str) -> int:
    here = Path(folder)
    with open(here / "started", "a") as fh:
        fh.write(f"{os.getpid()}\n")
    deadline = time.monotonic() + 60  # bounded: a test that forgets to release fails, it does not hang
    while not (here / "release").exists():
        if time.monotonic() > deadline:
            raise TimeoutError("never released")
        time.sleep(0.05)
    with open(here / "done", "a") as fh:
        fh.write(f"{os.getpid()}\n")
    return os.getpid()
