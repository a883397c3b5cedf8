"""kill -9 of the web server, the worker and a bulk run at random points; after the sweeps every
guarantee of issue 11 holds (chaos.check lists them). ``FAULT_RUNS=20`` runs 20 in a row (all of them,
then one failure listing every broken run); ``FAULT_SEED=N`` replays a run's kill schedule (each broken
run's seed is printed)."""

from __future__ import annotations

import os
import random
from collections import Counter

import pytest

from .chaos import one_run

# the processes it starts reach the suite's database (DATABASE_URL): on PostgreSQL too (tests/databases.py)
pytestmark = pytest.mark.database


def _kind(failure: str) -> str:
    """A broken guarantee without its ids, for the tally: "issue emails", "webhook-ids"..."""
    return " ".join(w for w in failure.split() if not any(c.isdigit() for c in w) and len(w) < 20)[:80]


def test_kill_runs_keep_every_guarantee(template):
    runs = int(os.environ.get("FAULT_RUNS", "1"))
    first = int(os.environ.get("FAULT_SEED") or random.SystemRandom().randrange(1, 10**6))
    broken, tally, kills, credentials = [], Counter(), Counter(), 0
    for n in range(runs):
        seed = first + n
        failures, stats = one_run(template, seed, f"run{n}")
        kills.update(stats["kills"])
        credentials += stats["credentials"]
        tally.update(_kind(f) for f in failures)
        print(f"fault run {n + 1}/{runs} seed {seed}: {len(failures)} broken; {stats}", flush=True)
        for failure in failures[:10]:
            print(f"    {failure}", flush=True)
        if failures:
            broken.append(
                f"seed {seed} (replay: FAULT_SEED={seed} FAULT_RUNS=1): {len(failures)} broken:\n    "
                + "\n    ".join(failures[:30])
                + f"\n    what happened: {stats}"
            )
    print(
        f"fault runs: {runs}, broken {len(broken)}; credentials {credentials}; kills {dict(kills)}; {dict(tally)}"
    )
    assert not broken, f"{len(broken)} of {runs} fault runs broke guarantees:\n  " + "\n  ".join(broken)
