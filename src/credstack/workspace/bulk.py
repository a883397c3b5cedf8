"""Bulk issuance from a CSV or XLSX file: parse -> map columns -> dry run (every problem by row and
field) -> confirm -> issue in chunks (status slots reserved a block at a time) -> results file.

Idempotent per file: each row's idempotency key is ``bulk:<achievement>:<sha256 of the file>:<row>``,
so uploading the same file again issues nothing twice, and a job whose worker died resumes: rows
still pending are issued, rows already issued are found by their key.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import logging
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django_tasks import task

from credstack.achievements.actions import current_version
from credstack.credentials import status_lists
from credstack.credentials.actions import IssueRequest, issue_credential
from credstack.credentials.models import Credential
from credstack.credentials.validation import clean_email, clean_name
from credstack.organizations import audit
from credstack.organizations.actors import Actor, as_actor
from credstack.ui.exports import csv_text

from .models import BulkJob, BulkRow

log = logging.getLogger(__name__)

MAX_ROWS = 50_000
MAX_COLUMNS = 200
MAX_LINE_CHARS = 1024 * 1024  # of a CSV file
MAX_XLSX_XML_BYTES = 256 * 1024 * 1024  # a workbook, unpacked
MAX_SHARED_STRINGS_BYTES = 16 * 1024 * 1024
MAX_XML_TEXT_BYTES = 64 * 1024  # one cell's text (or one tag) in a workbook's XML
CHUNK = 200
NAME_COLUMNS = ("name", "full name", "fullname", "recipient", "recipient name", "recipient_name", "learner")
EMAIL_COLUMNS = ("email", "e-mail", "email address", "mail", "recipient email", "recipient_email")
SCORE_COLUMNS = ("score", "grade", "result")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


JSON_KIND = "application/json"  # a batch sent to the API: a list of recipients, read as JSON
FIXED_COLUMNS = ("name", "email", "score")


class FileProblem(ValueError):
    """The file as a whole cannot be read (not the rows in it)."""


@dataclass
class Table:
    columns: list[str]
    rows: list[list[str]] = field(default_factory=list)


def _cell(v) -> str:
    if v is None:
        return ""
    if hasattr(v, "isoformat"):
        return v.isoformat()
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def recipients_json(recipients: Iterable[dict]) -> bytes:
    """A batch of recipients (``name``, ``email``, optional ``score`` and ``fields``) as the bytes a job
    stores: canonical JSON, so the same batch sent twice has the same hash and issues nothing twice."""
    keep = [
        {
            "name": r["name"],
            "email": r["email"],
            "score": r.get("score") or "",
            "fields": r.get("fields") or {},
        }
        for r in recipients
    ]
    return json.dumps(keep, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def _json_table(data: bytes, filename: str) -> Table:
    """A stored API batch as a table: the fixed columns, then every merge field in name order."""
    try:
        recipients = json.loads(data)
    except ValueError as exc:
        raise FileProblem(f"{filename} is not valid JSON: {exc}")
    if not isinstance(recipients, list) or not all(isinstance(r, dict) for r in recipients):
        raise FileProblem(f"{filename} must be a list of recipients")
    if len(recipients) > MAX_ROWS:
        raise FileProblem(f"{filename} has more than {MAX_ROWS:,} rows; split it into smaller batches")
    extra = sorted({k for r in recipients for k in (r.get("fields") or {})} - set(FIXED_COLUMNS))
    rows = [
        [
            str(r.get("name") or ""),
            str(r.get("email") or ""),
            str(r.get("score") or ""),
            *(str((r.get("fields") or {}).get(k, "")) for k in extra),
        ]
        for r in recipients
    ]
    if not rows:
        raise FileProblem(f"{filename} is empty")
    return Table([*FIXED_COLUMNS, *extra], rows)


def _lines(stream: io.TextIOWrapper, filename: str) -> Iterator[str]:
    """The lines of a CSV file, none longer than MAX_LINE_CHARS: a line of a million commas is a million
    fields before any of them could be refused."""
    while line := stream.readline(MAX_LINE_CHARS + 1):
        if len(line) > MAX_LINE_CHARS:
            raise FileProblem(f"{filename} has a line longer than {MAX_LINE_CHARS:,} characters")
        yield line


def _check_workbook_size(data: bytes, filename: str) -> None:
    """Refuse, before openpyxl reads it, a workbook that unpacks to more than MAX_XLSX_XML_BYTES, holds
    more shared strings than MAX_SHARED_STRINGS_BYTES (openpyxl keeps them all), or has one text longer
    than MAX_XML_TEXT_BYTES (openpyxl keeps a cell's text whole: 200 MB of "a" in one cell packs into
    200 KB and took 420 MB to read). A member's declared size is a true bound: zipfile stops there."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            total = sum(m.file_size for m in members)
            if total > MAX_XLSX_XML_BYTES:
                raise FileProblem(
                    f"{filename} unpacks to {total / 1e6:.0f} MB; at most {MAX_XLSX_XML_BYTES / 1e6:.0f} MB "
                    "are read: split it into smaller files"
                )
            for member in members:
                name = member.filename.lower()
                if name.endswith("sharedstrings.xml") and member.file_size > MAX_SHARED_STRINGS_BYTES:
                    raise FileProblem(
                        f"{filename} holds {member.file_size / 1e6:.0f} MB of text; at most "
                        f"{MAX_SHARED_STRINGS_BYTES / 1e6:.0f} MB are read: split it into smaller files"
                    )
                if name.endswith(".xml"):
                    with archive.open(member) as part:
                        _check_text_runs(part, filename)
    except FileProblem:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError):
        raise FileProblem(f"{filename} cannot be read as an Excel workbook (.xlsx)") from None


def _check_text_runs(part, filename: str) -> None:
    """No run of more than MAX_XML_TEXT_BYTES between two "<" in this XML part (read 1 MB at a time)."""
    run = 0  # bytes since the last "<"
    while chunk := part.read(1024 * 1024):
        pieces = chunk.split(b"<")
        longest = max(run + len(pieces[0]), max(map(len, pieces[1:-1]), default=0))
        run = run + len(chunk) if len(pieces) == 1 else len(pieces[-1])
        if max(longest, run) > MAX_XML_TEXT_BYTES:
            raise FileProblem(
                f"{filename} has a cell or value longer than {MAX_XML_TEXT_BYTES:,} bytes; "
                "a cell holds at most 500 characters"
            )


def read_table(data: bytes, kind: str, filename: str = "file") -> Table:
    if kind == JSON_KIND:
        return _json_table(data, filename)
    if kind == "text/csv":
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise FileProblem(
                f"{filename} is not UTF-8 text (byte {exc.start + 1}); save it as 'CSV UTF-8' and upload again"
            )
        if "\x00" in text:
            raise FileProblem(f"{filename} contains NUL bytes: it is not a CSV file")
        sample = text[:8192]
        del text  # read below as a stream of lines: an io.StringIO of the text held four bytes a character
        try:
            dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
        except csv.Error:
            dialect = csv.excel
        stream = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8-sig", newline="")
        reader = csv.reader(_lines(stream, filename), dialect)
        try:
            rows = []
            for i, row in enumerate(reader):
                if i > MAX_ROWS:
                    raise FileProblem(
                        f"{filename} has more than {MAX_ROWS:,} rows; split it into smaller files"
                    )
                if len(row) > MAX_COLUMNS and (i == 0 or any(c.strip() for c in row[MAX_COLUMNS:])):
                    raise FileProblem(f"{filename} has more than {MAX_COLUMNS} columns")
                rows.append(row[:MAX_COLUMNS])
        except csv.Error as exc:
            raise FileProblem(f"{filename} is not valid CSV: {exc}")
    else:
        import openpyxl  # openpyxl: loaded only for spreadsheets

        _check_workbook_size(data, filename)
        try:
            wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception:
            raise FileProblem(f"{filename} cannot be read as an Excel workbook (.xlsx)")
        ws = wb.worksheets[0]
        # A sheet's declared size is the file's word, not a fact: "A1:XFD8002" over 8,000 empty rows
        # made every row 16,384 cells (45 s and 1.1 GB for a 26 KB file). Forget the declared size,
        # read the header row, then only the header's columns of each row, as a stream.
        ws.reset_dimensions()
        first = next(ws.iter_rows(max_row=1, values_only=True), ())
        width = min(len(first), MAX_COLUMNS)
        while width and _cell(first[width - 1]).strip() == "":
            width -= 1
        rows = [[_cell(v) for v in first[:width]]]
        for i, row in enumerate(ws.iter_rows(min_row=2, max_col=max(width, 1), values_only=True), 1):
            if i > MAX_ROWS:
                raise FileProblem(f"{filename} has more than {MAX_ROWS:,} rows; split it into smaller files")
            rows.append([_cell(v) for v in row])
        wb.close()
    while rows and not any(c.strip() for c in rows[-1]):
        rows.pop()
    if not rows:
        raise FileProblem(f"{filename} is empty")
    header = [c.strip() for c in rows[0]]
    while header and not header[-1]:
        header.pop()
    if not header:
        raise FileProblem(f"{filename}: the first row must name the columns (e.g. name, email)")
    seen = set()
    for i, col in enumerate(header, 1):
        if not col:
            raise FileProblem(f"{filename}: column {i} has no name in the first row")
        if col.lower() in seen:
            raise FileProblem(f"{filename}: the column name {col!r} appears twice in the first row")
        seen.add(col.lower())
    body = [r for r in rows[1:]]
    return Table(header, body)


def guess_mapping(columns: list[str]) -> dict[str, str]:
    lower = {c.lower().strip(): c for c in columns}

    def pick(cands):
        return next((lower[c] for c in cands if c in lower), "")

    return {"name": pick(NAME_COLUMNS), "email": pick(EMAIL_COLUMNS), "score": pick(SCORE_COLUMNS)}


def merge_key(column: str) -> str:
    key = re.sub(r"[^A-Za-z0-9_]+", "_", column.strip()).strip("_").lower() or "column"
    return ("c_" + key if key[0].isdigit() else key)[:64]


def idempotency_key(job: BulkJob, number: int) -> str:
    return f"bulk:{job.achievement_id}:{job.sha256}:{number}"


def create_job(*, organization, achievement, filename: str, data: bytes, kind: str, actor=None) -> BulkJob:
    """Read the file and store a job awaiting its column mapping and dry run (state PREVIEW).

    Raises FileProblem when the file as a whole cannot be read; nothing is stored then."""
    table = read_table(data, kind, filename)
    job = BulkJob.objects.create(
        organization=organization,
        achievement=achievement,
        filename=filename[:255],
        kind=kind,
        data=data,
        sha256=hashlib.sha256(data).hexdigest(),
        columns=table.columns,
        mapping=guess_mapping(table.columns),
        created_by=as_actor(actor).user_or_none,
    )
    if job.mapped:
        job = check_job(job, job.mapping)
    audit.record(organization, actor, "bulk.uploaded", job.public_id, f"{job.filename}: {job.total} rows")
    return job


def check_job(job: BulkJob, mapping: dict) -> BulkJob:
    """The dry run: validate every row with this column mapping, listing each problem by row and field."""
    mapping = {k: (mapping.get(k) or "") for k in ("name", "email", "score")}
    for role in ("name", "email"):
        if not mapping[role]:
            raise ValidationError({role: f"choose the column holding the recipient's {role}"})
    for role, column in mapping.items():
        if column and column not in job.columns:
            raise ValidationError({role: f"there is no column {column!r} in {job.filename}"})
    if mapping["name"] == mapping["email"]:
        raise ValidationError({"email": "the name and the email cannot come from the same column"})
    if job.purged_at:
        raise ValidationError({"file": "this upload's file was deleted (retention period): upload it again"})
    table = read_table(bytes(job.data), job.kind, job.filename)
    with transaction.atomic():
        job = BulkJob.objects.select_for_update().get(pk=job.pk)
        if job.state != BulkJob.State.PREVIEW:
            raise ValidationError({"file": "this upload is already being issued"})
        job.rows.all().delete()
        job.mapping = mapping
        rows = list(_validate(job, table, mapping))
        BulkRow.objects.bulk_create(rows, batch_size=1000)
        job.total = len(rows)
        job.valid = sum(1 for r in rows if r.outcome == BulkRow.Outcome.PENDING)
        job.skipped = sum(1 for r in rows if r.outcome == BulkRow.Outcome.SKIPPED)
        job.save(update_fields=["mapping", "total", "valid", "skipped"])
    return job


def prepare_job(**kwargs) -> BulkJob:
    """create_job + check_job in one call (CLI, tests); mapping=None guesses it."""
    mapping = kwargs.pop("mapping", None)
    job = create_job(**kwargs)
    if mapping:
        job = check_job(job, mapping)
    elif not job.mapped:
        raise ValidationError(
            {"name": f"no name/email column found among {', '.join(job.columns)}: map them"}
        )
    return job


def start_job(job: BulkJob, *, actor=None) -> BulkJob:
    """Queue a checked job, or close it at once when no row can be issued (every row skipped as
    already issued from the same file), and return it as stored."""
    if job.valid:
        job = confirm_job(job, actor=actor)
    else:
        BulkJob.objects.filter(pk=job.pk, state=BulkJob.State.PREVIEW).update(
            state=BulkJob.State.DONE, finished_at=timezone.now()
        )
    job.refresh_from_db()
    return job


def _validate(job: BulkJob, table: Table, mapping: dict) -> Iterable[BulkRow]:
    idx = {c: i for i, c in enumerate(table.columns)}
    ni, ei = idx[mapping["name"]], idx[mapping["email"]]
    si = idx.get(mapping.get("score") or "")
    others = [(c, i) for c, i in idx.items() if i not in (ni, ei, si)]
    holders = set(
        Credential.objects.filter(
            organization=job.organization, achievement=job.achievement, state__in=["active", "suspended"]
        ).values_list("recipient_email", flat=True)
    )
    holders = {e.lower() for e in holders}
    from_this_file = set(
        Credential.objects.filter(
            organization=job.organization,
            idempotency_key__startswith=f"bulk:{job.achievement_id}:{job.sha256}:",
        ).values_list("idempotency_key", flat=True)
    )
    first_seen: dict[str, int] = {}
    for offset, raw in enumerate(table.rows):
        number = offset + 2
        if not any(c.strip() for c in raw):
            continue
        cells = raw + [""] * (len(table.columns) - len(raw))
        problems = []
        if len(raw) > len(table.columns) and any(c.strip() for c in raw[len(table.columns) :]):
            problems.append(
                {
                    "field": "row",
                    "message": f"has {len(raw)} cells but the header names {len(table.columns)} columns",
                }
            )
        name, email = cells[ni], cells[ei]
        for label, value in (("name", name), ("email", email)):
            if value.strip().startswith(FORMULA_START[:4]) and value.strip()[:1] in "=+@":
                problems.append(
                    {
                        "field": label,
                        "message": f"starts with {value.strip()[0]!r}: a spreadsheet formula, not a {label}",
                    }
                )
        try:
            name = clean_name(name, "name")
        except ValidationError as exc:
            problems.append({"field": "name", "message": _msg(exc, "name")})
        try:
            email = clean_email(email, "email")
        except ValidationError as exc:
            problems.append({"field": "email", "message": _msg(exc, "email")})
        outcome = BulkRow.Outcome.PENDING
        fields = {merge_key(c): cells[i].strip() for c, i in others if i < len(cells) and cells[i].strip()}
        if si is not None and cells[si].strip():
            fields["score"] = cells[si].strip()
        for k, v in fields.items():
            if len(v) > 500:
                problems.append({"field": k, "message": f"is {len(v)} characters; at most 500"})
        if not problems:
            key = email.lower()
            if idempotency_key(job, number) in from_this_file:
                outcome = BulkRow.Outcome.SKIPPED
                problems.append(
                    {"field": "row", "message": "already issued from this same file earlier: skipped"}
                )
            elif key in first_seen:
                problems.append(
                    {"field": "email", "message": f"duplicate of row {first_seen[key]} (same email)"}
                )
            elif key in holders:
                problems.append(
                    {"field": "email", "message": f"{email} already holds {job.achievement.name}"}
                )
            first_seen.setdefault(key, number)
        if problems and outcome != BulkRow.Outcome.SKIPPED:
            outcome = BulkRow.Outcome.INVALID
        yield BulkRow(
            job=job,
            number=number,
            name=str(name)[:600],
            email=str(email)[:300],
            fields=fields,
            problems=problems,
            outcome=outcome,
        )


def _msg(exc: ValidationError, key: str) -> str:
    d = getattr(exc, "message_dict", None)
    if d and key in d:
        return "; ".join(d[key])
    return "; ".join(exc.messages)


@task()
def run_bulk_job(job_id: int) -> str:
    """Issue a confirmed job's rows in the worker. Defined here, beside the actions that queue it
    ("Tasks" in docs/architecture.md)."""
    return run_job(job_id).state


def confirm_job(job: BulkJob, *, actor=None, background: bool = True) -> BulkJob:
    """Queue the job (only from PREVIEW). Invalid rows are left out; fix the file and upload again.
    ``background=False``: the caller runs it (``run_job``) itself, as the command line does."""
    with transaction.atomic():
        locked = BulkJob.objects.select_for_update().get(pk=job.pk)
        if locked.state != BulkJob.State.PREVIEW:
            return locked
        if locked.purged_at:
            raise ValidationError(
                {"file": "this upload's file was deleted (retention period): upload it again"}
            )
        if locked.valid == 0:
            raise ValidationError({"file": "no row can be issued: fix the problems listed and upload again"})
        locked.state, locked.heartbeat_at = BulkJob.State.QUEUED, timezone.now()
        locked.save(update_fields=["state", "heartbeat_at"])
        audit.record(
            locked.organization, actor, "bulk.confirmed", locked.public_id, f"{locked.valid} to issue"
        )
        if background:
            transaction.on_commit(lambda: run_bulk_job.enqueue(locked.pk))
    return locked


def run_job(job_id: int, progress: Callable[[BulkJob], None] | None = None) -> BulkJob:
    """Issue every pending row of the job. Safe to run again after a crash (resumes)."""
    job = BulkJob.objects.select_related("achievement__organization", "achievement__design").get(pk=job_id)
    if job.state in (BulkJob.State.DONE, BulkJob.State.PREVIEW):
        return job
    BulkJob.objects.filter(pk=job.pk).update(state=BulkJob.State.RUNNING, heartbeat_at=timezone.now())
    achievement = job.achievement
    org = achievement.organization
    version = current_version(achievement)
    design_version = achievement.design.current if achievement.design_id else None
    try:
        while True:
            chunk = list(
                BulkRow.objects.filter(job=job, outcome=BulkRow.Outcome.PENDING).order_by("number")[:CHUNK]
            )
            if not chunk:
                break
            to_issue = _skip_issued_by_other_jobs(job, chunk)
            slots = status_lists.allocate_slots(org, len(to_issue)) if to_issue else []
            for row, slot in zip(to_issue, slots, strict=True):
                try:
                    cred = issue_credential(
                        IssueRequest(
                            achievement=achievement,
                            recipient_name=row.name,
                            recipient_email=row.email,
                            result=[{"type": ["Result"], "value": row.fields["score"]}]
                            if row.fields.get("score")
                            else None,
                            source="bulk",
                            idempotency_key=idempotency_key(job, row.number),
                            actor=job.created_by,
                            audit=False,  # the job is audited as a whole (bulk.confirmed)
                            merge_fields=row.fields,
                            achievement_version=version,
                            design_version=design_version,
                            status_slot=slot,
                        )
                    )
                    row.credential, row.outcome = cred, BulkRow.Outcome.ISSUED
                except Exception as exc:  # one bad row never stops the batch
                    log.exception("bulk job %s row %s failed", job.public_id, row.number)
                    row.outcome = BulkRow.Outcome.FAILED
                    row.problems = [*row.problems, {"field": "row", "message": f"could not be issued: {exc}"}]
            with transaction.atomic():
                BulkRow.objects.bulk_update(chunk, ["credential", "outcome", "problems"])
                _recount(job)
            if progress:
                job.refresh_from_db()
                progress(job)
    except Exception as exc:
        BulkJob.objects.filter(pk=job.pk).update(state=BulkJob.State.FAILED, error=str(exc)[:2000])
        raise
    BulkJob.objects.filter(pk=job.pk).update(state=BulkJob.State.DONE, finished_at=timezone.now())
    job.refresh_from_db()
    return job


def _skip_issued_by_other_jobs(job: BulkJob, chunk: list[BulkRow]) -> list[BulkRow]:
    """Rows of the same file already issued by another job (the file uploaded again, one job resumed
    after the other ran) are skipped, linked to that credential, and counted by that job only; the rest
    are returned to issue. A credential this job issued before its worker died is not another job's: no
    other row points at it, and issuing again finds it by its key."""
    keys = {idempotency_key(job, row.number): row for row in chunk}
    existing = dict(
        Credential.objects.filter(organization_id=job.organization_id, idempotency_key__in=keys).values_list(
            "idempotency_key", "pk"
        )
    )
    if not existing:
        return chunk
    elsewhere = dict(
        BulkRow.objects.filter(credential_id__in=existing.values(), outcome=BulkRow.Outcome.ISSUED)
        .exclude(job=job)
        .values_list("credential_id", "job__public_id")
    )
    to_issue = []
    for key, row in keys.items():
        other = elsewhere.get(existing.get(key))
        if other is None:
            to_issue.append(row)
            continue
        row.credential_id, row.outcome = existing[key], BulkRow.Outcome.SKIPPED
        row.problems = [
            *row.problems,
            {"field": "row", "message": f"already issued from this file by upload {other}"},
        ]
    return to_issue


def _recount(job: BulkJob) -> None:
    """Counters from the rows themselves (correct even if two runners ever overlap), and the heartbeat."""
    counts = dict(job.rows.values_list("outcome").annotate(n=Count("id")).order_by())
    issued, failed = counts.get(BulkRow.Outcome.ISSUED, 0), counts.get(BulkRow.Outcome.FAILED, 0)
    BulkJob.objects.filter(pk=job.pk).update(
        issued=issued,
        failed=failed,
        skipped=counts.get(BulkRow.Outcome.SKIPPED, 0),
        # what this job issues: rows skipped while running (another upload of the file issued them) leave it
        valid=issued + failed + counts.get(BulkRow.Outcome.PENDING, 0),
        heartbeat_at=timezone.now(),
    )


STALLED_AFTER = timedelta(minutes=10)  # a chunk of 200 rows takes seconds: ten minutes is a dead worker
MAX_RESUMES = 5


def resume_stalled(now=None) -> int:
    """The periodic sweep: a queued or running job whose heartbeat stopped lost its worker. It is queued
    again (rows issued stay issued, the rest are issued once), up to MAX_RESUMES times; then it is marked
    failed with the reason, and Resume on its page continues it. Returns how many were resumed."""
    now = now or timezone.now()
    stalled = BulkJob.objects.filter(
        state__in=[BulkJob.State.QUEUED, BulkJob.State.RUNNING], heartbeat_at__lt=now - STALLED_AFTER
    )
    resumed = 0
    for job in stalled:
        if job.resumes >= MAX_RESUMES:
            BulkJob.objects.filter(pk=job.pk, heartbeat_at=job.heartbeat_at).update(
                state=BulkJob.State.FAILED,
                error=f"its worker stopped {MAX_RESUMES + 1} times; press Resume to continue",
            )
            continue
        claimed = BulkJob.objects.filter(pk=job.pk, heartbeat_at=job.heartbeat_at).update(
            resumes=job.resumes + 1, heartbeat_at=now
        )
        if claimed:
            resume_job(job, actor=Actor.system("the stalled-job sweep"))
            resumed += 1
    if resumed:
        log.warning("bulk jobs resumed after their worker stopped: %d", resumed)
    return resumed


def resume_job(job: BulkJob, *, actor=None) -> BulkJob:
    """Queue a job again whose worker stopped (crash, restart): pending rows are issued, nothing twice."""
    with transaction.atomic():
        locked = BulkJob.objects.select_for_update().get(pk=job.pk)
        if locked.state not in (BulkJob.State.QUEUED, BulkJob.State.RUNNING, BulkJob.State.FAILED):
            raise ValidationError(
                {"file": f"this upload is {locked.get_state_display().lower()}; nothing to resume"}
            )
        locked.state, locked.error, locked.heartbeat_at = BulkJob.State.QUEUED, "", timezone.now()
        locked.save(update_fields=["state", "error", "heartbeat_at"])
        audit.record(locked.organization, actor, "bulk.resumed", locked.public_id)
        transaction.on_commit(lambda: run_bulk_job.enqueue(locked.pk))
    return locked


def results_csv(job: BulkJob) -> str:
    """The results file: every row with its outcome, credential URL and problems (formula-safe)."""
    header = ["row", "name", "email", "outcome", "credential_url", "problems"]
    rows = (
        [
            r.number,
            r.name,
            r.email,
            r.outcome,
            r.credential.uri if r.credential_id else "",
            "; ".join(f"{p['field']}: {p['message']}" for p in r.problems),
        ]
        for r in job.rows.select_related("credential").order_by("number")
    )
    return csv_text(header, rows)


def retention_days() -> int:
    return int(getattr(settings, "CREDSTACK_BULK_RETENTION_DAYS", 30))


def purge_uploads(now=None, days: int | None = None) -> int:
    """Delete the personal data bulk uploads no longer need, ``days`` after a job finished (or after an
    upload was left unconfirmed): the file itself and each row's extra columns. What the results CSV
    shows (row number, name, email, outcome, credential URL, problems) stays. Jobs still queued,
    running or failed (resumable) keep everything. Returns how many jobs were purged."""
    now = now or timezone.now()
    days = retention_days() if days is None else days
    before = now - timedelta(days=days)
    due = BulkJob.objects.filter(purged_at__isnull=True).filter(
        Q(state=BulkJob.State.DONE, finished_at__lt=before)
        | Q(state=BulkJob.State.PREVIEW, created_at__lt=before)
        # dead: failed, or queued/running with no sign of a worker for the whole retention period
        | Q(
            state__in=[BulkJob.State.FAILED, BulkJob.State.QUEUED, BulkJob.State.RUNNING],
            heartbeat_at__lt=before,
        )
        | Q(state=BulkJob.State.FAILED, heartbeat_at__isnull=True, created_at__lt=before)
    )
    purged = 0
    for job_id in list(due.values_list("pk", flat=True)):
        with transaction.atomic():
            BulkRow.objects.filter(job_id=job_id).exclude(fields={}).update(fields={})
            purged += BulkJob.objects.filter(pk=job_id, purged_at__isnull=True).update(
                data=b"", purged_at=now
            )
    if purged:
        log.info("bulk uploads purged: %d (older than %d days)", purged, days)
    return purged
