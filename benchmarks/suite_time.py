"""How long the test suite takes: wall time, CPU time and test count of one pytest run of a checkout.

    python benchmarks/suite_time.py [--repo PATH] [--python PATH] [--jobs N] [--postgres] [-- pytest args]

Runs ``pytest`` in ``--repo`` (default: this checkout) with that checkout's own virtualenv (or
``--python``), on SQLite, ``--jobs`` processes (pytest-xdist; 0 = one process, for checkouts that predate
it; ``--postgres``: on a throw-away PostgreSQL, as ``make test-postgres``, whose server's own CPU time is not
counted). Prints one line: the figures, the pytest summary, the machine's load before and after. Run it on a
quiet machine and compare two checkouts one after the other.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import subprocess
import sys
import time
from pathlib import Path


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repo", default=str(Path(__file__).resolve().parent.parent))
    parser.add_argument("--python", default="")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--postgres", action="store_true")
    parser.add_argument("rest", nargs="*")
    args = parser.parse_args()
    repo = Path(args.repo).resolve()
    python = args.python or str(repo / ".venv" / "bin" / "python")
    command = [python, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
    if args.jobs:
        command += ["-n", str(args.jobs), "--dist", "worksteal"]
    command += args.rest
    if args.postgres:
        command = [str(repo / "scripts" / "with-postgres.sh"), *command]
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["PYTHONPATH"] = str(repo / "src")
    load_before = os.getloadavg()[0]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    done = subprocess.run(command, cwd=repo, env=env, capture_output=True, text=True)
    wall = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    summary = next(
        (
            line.strip("= ")
            for line in reversed(done.stdout.splitlines())
            if re.search(r"\d+ (passed|failed)", line)
        ),
        "no summary",
    )
    print(
        f"{repo.name} on {'PostgreSQL' if args.postgres else 'SQLite'}: wall {wall:.0f} s, CPU {cpu:.0f} s, jobs {args.jobs or 1}, {summary}; "
        f"load {load_before:.1f} -> {os.getloadavg()[0]:.1f}"
    )
    return done.returncode


if __name__ == "__main__":
    sys.exit(main())
