"""`credstack bulk-issue --org SLUG --achievement SLUG FILE`: the bulk issuance of the workspace, from a
terminal, with a progress bar. Columns `name` and `email` need no mapping; others become merge fields."""

from __future__ import annotations

import getpass
import sys
import time
from pathlib import Path

from django.core.exceptions import ValidationError

from credstack.organizations.actors import Actor
from credstack.ui.uploads import MAX_SPREADSHEET


def _bar(done: int, total: int, started: float, width: int = 30) -> str:
    frac = done / total if total else 1
    rate = done / max(1e-6, time.monotonic() - started)
    return f"\r[{'#' * int(frac * width):<{width}}] {done}/{total} {frac:4.0%} {rate:6.1f}/s"


def bulk_issue(args) -> int:
    # credstack.cli imports this module before django.setup(): the models load here, after it
    from credstack.achievements.models import Achievement  # after django.setup() (see above)
    from credstack.organizations.models import Organization  # after django.setup()

    from . import bulk, tables  # after django.setup()
    from .models import BulkRow  # after django.setup()

    org = Organization.objects.filter(slug=args.org).first()
    if org is None:
        print(f"credstack: no organization {args.org!r}", file=sys.stderr)
        return 2
    achievement = Achievement.objects.filter(organization=org, slug=args.achievement).first()
    if achievement is None:
        print(f"credstack: {args.org} has no achievement {args.achievement!r}", file=sys.stderr)
        return 2
    path = Path(args.file)
    try:
        if path.stat().st_size > MAX_SPREADSHEET:
            print(f"credstack: {path} is larger than {MAX_SPREADSHEET // 1024 // 1024} MB", file=sys.stderr)
            return 2
        data = path.read_bytes()
    except OSError as exc:
        print(f"credstack: cannot read {path}: {exc}", file=sys.stderr)
        return 2
    kind = (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        if data[:4] == b"PK\x03\x04"
        else "text/csv"
    )
    try:
        actor = Actor.command_line(getpass.getuser())
    except (KeyError, OSError):  # no name for this uid (some containers)
        actor = Actor.command_line()
    mapping = {"name": args.name_column, "email": args.email_column, "score": args.score_column or ""}
    try:
        job = bulk.prepare_job(
            organization=org,
            achievement=achievement,
            filename=path.name,
            data=data,
            kind=kind,
            mapping=mapping if (args.name_column or args.email_column) else None,
            actor=actor,
        )
    except (ValidationError, tables.FileProblem) as exc:
        msg = "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        print(f"credstack: {msg}", file=sys.stderr)
        return 2
    bad = job.rows.exclude(outcome=BulkRow.Outcome.PENDING).order_by("number")
    for row in bad:
        for p in row.problems:
            print(f"row {row.number}: {p['field']}: {p['message']}", file=sys.stderr)
    print(f"{job.total} rows: {job.valid} to issue, {job.total - job.valid} not issued", file=sys.stderr)
    if args.dry_run or job.valid == 0:
        return 1 if job.valid == 0 and job.total else 0
    job = bulk.confirm_job(job, actor=actor, background=False)  # this process issues, with a progress bar
    started = time.monotonic()
    tty = sys.stderr.isatty() or args.progress

    def progress(j):
        if tty:
            sys.stderr.write(_bar(j.issued + j.failed, j.valid, started))
            sys.stderr.flush()

    try:
        job = bulk.run_job(job.pk, progress=progress)
    except bulk.BulkStopped as exc:
        job.refresh_from_db()
        if tty:
            sys.stderr.write("\n")
        print(
            f"credstack: bulk job {job.public_id} {exc} (issued {job.issued} of {job.valid})", file=sys.stderr
        )
        return 1
    if tty:
        sys.stderr.write("\n")
    elapsed = time.monotonic() - started
    print(
        f"issued {job.issued}, failed {job.failed}, in {elapsed:.1f} s "
        f"({job.issued / max(elapsed, 1e-6):.1f}/s); results: job {job.public_id}",
        file=sys.stderr,
    )
    if args.results:
        Path(args.results).write_text(bulk.results_csv(job), encoding="utf-8")
    return 0 if job.failed == 0 else 1


def add_parser(sub) -> None:
    p = sub.add_parser("bulk-issue", help="issue credentials from a CSV or XLSX file (name, email, ...)")
    p.add_argument("--org", required=True)
    p.add_argument("--achievement", required=True)
    p.add_argument("file")
    p.add_argument("--name-column", default="", help="column with the name (default: found by its header)")
    p.add_argument("--email-column", default="", help="column with the email (default: found by its header)")
    p.add_argument("--score-column", default="")
    p.add_argument("--dry-run", action="store_true", help="only list the problems; issue nothing")
    p.add_argument("--results", help="write the results CSV here")
    p.add_argument("--progress", action="store_true", help="show the progress bar even when not a terminal")
    p.set_defaults(func=bulk_issue)
