"""Bulk issuance from a CSV or XLSX file: parse -> map columns -> dry run (every problem by row and
field) -> confirm -> issue in chunks (status slots reserved a block at a time) -> results file.

Idempotent per file: each row's idempotency key is ``bulk:<achievement>:<sha256 of the file>:<row>``,
so uploading the same file again issues nothing twice, and a job whose worker died resumes: rows
still pending are issued, rows already issued are found by their key.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterable
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import CharField, Count, OuterRef, Q, Subquery, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_tasks import task

from credstack import taskqueues
from credstack.achievements.actions import current_version
from credstack.credentials import status_lists
from credstack.credentials.actions import (  # noqa: F401 (issue_credential: still importable from here)
    Batch,
    IssueRequest,
    IssueResult,
    held_credentials,
    issue_credential,
    issue_credentials,
    signing_processes,
)
from credstack.credentials.models import Credential, StatusList
from credstack.credentials.validation import MESSAGES, clean_email, clean_name
from credstack.organizations import audit
from credstack.organizations.actors import Actor, as_actor
from credstack.ui.exports import csv_text
from credstack.ui.storage import storage_failure

from .models import BulkJob, BulkRow
from .tables import (
    Table,
    guess_mapping,
    merge_key,
    read_table,
)

log = logging.getLogger(__name__)


FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


ROW_BATCH = 1000  # rows of the dry run stored at a time


def key_prefix(job: BulkJob) -> str:
    return f"bulk:{job.achievement_id}:{job.sha256}:"


def idempotency_key(job: BulkJob, number: int) -> str:
    return f"{key_prefix(job)}{number}"


def create_job(*, organization, achievement, filename: str, data: bytes, kind: str, actor=None) -> BulkJob:
    """Read the file and store a job awaiting its column mapping and dry run (state PREVIEW).

    Raises FileProblem when the file as a whole cannot be read; nothing is stored then."""
    columns = read_table(data, kind, filename).columns  # the rows are read again by the dry run
    job = BulkJob.objects.create(
        organization=organization,
        achievement=achievement,
        filename=filename[:255],
        kind=kind,
        data=data,
        sha256=hashlib.sha256(data).hexdigest(),
        columns=columns,
        mapping=guess_mapping(columns),
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
            raise ValidationError(
                {
                    role: _("choose the column holding the recipient's name")
                    if role == "name"
                    else _("choose the column holding the recipient's email")
                }
            )
    for role, column in mapping.items():
        if column and column not in job.columns:
            raise ValidationError(
                {
                    role: _("there is no column “%(column)s” in %(file)s")
                    % {"column": column, "file": job.filename}
                }
            )
    if mapping["name"] == mapping["email"]:
        raise ValidationError({"email": _("the name and the email cannot come from the same column")})
    if job.purged_at:
        raise ValidationError(
            {"file": _("this upload's file was deleted (retention period): upload it again")}
        )
    table = read_table(bytes(job.data), job.kind, job.filename)
    with transaction.atomic():
        job = BulkJob.objects.select_for_update().get(pk=job.pk)
        if job.state != BulkJob.State.PREVIEW:
            raise ValidationError({"file": _("this upload is already being issued")})
        job.rows.all().delete()
        job.mapping = mapping
        # stored 1,000 rows at a time as they are checked: memory stays flat however long the file
        # (benchmarks/bulk.py --rows 100000)
        job.total = job.valid = job.skipped = 0
        batch: list[BulkRow] = []
        for row in _validate(job, table, mapping):
            job.total += 1
            job.valid += row.outcome == BulkRow.Outcome.PENDING
            job.skipped += row.outcome == BulkRow.Outcome.SKIPPED
            batch.append(row)
            if len(batch) >= ROW_BATCH:
                BulkRow.objects.bulk_create(batch)
                batch.clear()
        BulkRow.objects.bulk_create(batch)
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
            {
                "name": _("no name/email column found among %(columns)s: map them")
                % {"columns": ", ".join(job.columns)}
            }
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


# A row's problems, by code (with credentials.validation's). Each is stored with its code and values and in
# English ("message": the results file, the API and the command line read that); the job's page writes it in
# the reader's language (workspace_tags.problem_text).
PROBLEMS = {
    **MESSAGES,
    "cells": gettext_lazy("has %(cells)d cells but the header names %(columns)d columns"),
    "formula": gettext_lazy("starts with %(char)s: a spreadsheet formula, not a name or an email address"),
    "field_too_long": gettext_lazy("is %(length)d characters; at most %(limit)d"),
    "issued_from_file": gettext_lazy("already issued from this same file earlier: skipped"),
    "duplicate": gettext_lazy("duplicate of row %(row)d (same email)"),
    "not_issued": gettext_lazy("could not be issued: %(error)s"),
    "not_issued_unknown": gettext_lazy("could not be issued"),
    "holds": gettext_lazy(
        "%(email)s already holds %(achievement)s: credential %(credential)s, issued %(date)s; not issued again "
        "from a file (the issue form can issue another or replace it)"
    ),
}


def _problem(field: str, code: str, **params: object) -> dict:
    with translation.override("en"):
        message = str(PROBLEMS[code] % params if params else PROBLEMS[code])
    return {"field": field, "message": message, "code": code, "params": params}


def _invalid(exc: ValidationError, field: str) -> dict:
    """A clean_name/clean_email refusal as a stored problem (its code and values kept)."""
    error = exc.error_dict[field][0] if hasattr(exc, "error_dict") and field in exc.error_dict else None
    if error is None or error.code not in PROBLEMS:
        return {"field": field, "message": _msg(exc, field)}
    return _problem(field, error.code, **(error.params or {}))


def _validate(job: BulkJob, table: Table, mapping: dict) -> Iterable[BulkRow]:
    idx = {c: i for i, c in enumerate(table.columns)}
    ni, ei = idx[mapping["name"]], idx[mapping["email"]]
    si = idx.get(mapping.get("score") or "")
    others = [(c, i) for c, i in idx.items() if i not in (ni, ei, si)]
    holders = held_credentials(job.achievement)
    from_this_file = set(
        Credential.objects.filter(
            organization=job.organization,
            idempotency_key__startswith=f"bulk:{job.achievement_id}:{job.sha256}:",
        ).values_list("idempotency_key", flat=True)
    )
    # slots reserved by an earlier job of this same file for rows it did not issue (its worker died, or
    # the row failed): the row of the same number takes it again, nothing is left unused (decision 0066)
    reserved = {
        number: (list_id, index)
        for number, list_id, index in BulkRow.objects.filter(
            job__organization_id=job.organization_id,
            job__achievement_id=job.achievement_id,
            job__sha256=job.sha256,
            status_index__isnull=False,
            credential__isnull=True,
        )
        .exclude(job=job)
        .values_list("number", "status_list_id", "status_index")
    }
    first_seen: dict[str, int] = {}
    for offset, raw in enumerate(table.rows):
        number = offset + 2
        if not any(c.strip() for c in raw):
            continue
        cells = raw + [""] * (len(table.columns) - len(raw))
        problems = []
        if len(raw) > len(table.columns) and any(c.strip() for c in raw[len(table.columns) :]):
            problems.append(_problem("row", "cells", cells=len(raw), columns=len(table.columns)))
        name, email = cells[ni], cells[ei]
        for label, value in (("name", name), ("email", email)):
            if value.strip().startswith(FORMULA_START[:4]) and value.strip()[:1] in "=+@":
                problems.append(_problem(label, "formula", char=repr(value.strip()[0])))
        try:
            name = clean_name(name, "name")
        except ValidationError as exc:
            problems.append(_invalid(exc, "name"))
        try:
            email = clean_email(email, "email")
        except ValidationError as exc:
            problems.append(_invalid(exc, "email"))
        outcome = BulkRow.Outcome.PENDING
        fields = {merge_key(c): cells[i].strip() for c, i in others if i < len(cells) and cells[i].strip()}
        if si is not None and cells[si].strip():
            fields["score"] = cells[si].strip()
        for k, v in fields.items():
            if len(v) > 500:
                problems.append(_problem(k, "field_too_long", length=len(v), limit=500))
        if not problems:
            key = email.lower()
            if idempotency_key(job, number) in from_this_file:
                outcome = BulkRow.Outcome.SKIPPED
                problems.append(_problem("row", "issued_from_file"))
            elif key in first_seen:
                problems.append(_problem("email", "duplicate", row=first_seen[key]))
            elif key in holders:
                held = holders[key]
                problems.append(
                    {
                        **_problem(
                            "email",
                            "holds",
                            email=email,
                            achievement=job.achievement.name,
                            credential=held.public_id,
                            date=held.issued_at.date().isoformat(),
                        ),
                        "credential": held.public_id,
                    }
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
            status_list_id=reserved.get(number, (None, None))[0],
            status_index=reserved.get(number, (None, None))[1],
        )


def _msg(exc: ValidationError, key: str) -> str:
    d = getattr(exc, "message_dict", None)
    if d and key in d:
        return "; ".join(d[key])
    return "; ".join(exc.messages)


@task(queue_name=taskqueues.BULK)
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
                {"file": _("this upload's file was deleted (retention period): upload it again")}
            )
        if locked.valid == 0:
            raise ValidationError(
                {"file": _("no row can be issued: fix the problems listed and upload again")}
            )
        locked.state, locked.heartbeat_at = BulkJob.State.QUEUED, timezone.now()
        locked.save(update_fields=["state", "heartbeat_at"])
        audit.record(
            locked.organization, actor, "bulk.confirmed", locked.public_id, f"{locked.valid} to issue"
        )
        if background:
            transaction.on_commit(lambda: run_bulk_job.enqueue(locked.pk))
    return locked


class BulkStopped(Exception):
    """The storage refused a write (full disk, read-only home): the job stopped; what was issued stays
    issued, the rows not reached stay pending for Resume (or the same file uploaded again)."""


def run_job(job_id: int, progress: Callable[[BulkJob], None] | None = None) -> BulkJob:
    """Issue every pending row of the job. Safe to run again after a crash (resumes).

    Chunk by chunk, through the stages of the one pipeline (``credentials.actions.Batch``, decision
    0066): check the rows, reserve their status slots (committed, each recorded on its row), compose,
    then sign in the signing processes while the previous chunk is inserted — its credentials and its
    rows' outcomes in one transaction — and its consumers run: two cores work.

    A row is reported as it is stored: issued when its credential was committed, even if something
    after the commit failed. When the storage refuses writes the job stops (``BulkStopped``): it is
    marked failed with the reason, and the rows not reached stay pending."""
    job = BulkJob.objects.select_related("achievement__organization", "achievement__design").get(pk=job_id)
    if job.state in (BulkJob.State.DONE, BulkJob.State.PREVIEW):
        return job
    BulkJob.objects.filter(pk=job.pk).update(state=BulkJob.State.RUNNING, heartbeat_at=timezone.now())
    achievement = job.achievement
    chunks = _Chunks(
        job, current_version(achievement), achievement.design.current if achievement.design_id else None
    )
    flight: _Chunk | None = None
    following: _Chunk | None = None
    try:
        last = 0
        while True:
            rows = _with_lists(
                BulkRow.objects.filter(job=job, outcome=BulkRow.Outcome.PENDING, number__gt=last).order_by(
                    "number"
                )[: settings.CREDSTACK_BULK_CHUNK]
            )
            # chunk k + 1 is checked, reserved, composed and handed to the signing processes ...
            following = chunks.start(rows) if rows else None
            if rows:
                last = rows[-1].number
            # ... while chunk k is inserted here and its consumers run
            if flight is not None:
                chunks.finish(flight)
                if progress:
                    job.refresh_from_db()
                    progress(job)
            if following is None:
                break
            flight = following
            following = None
    except Exception as exc:
        for pending in (flight, following):  # what was handed to the signing processes is dropped
            if pending is not None and pending.batch is not None:
                pending.batch.cancel()
        why = str(exc) if isinstance(exc, BulkStopped) else storage_failure(exc) or str(exc)
        try:
            _recount(job)  # the counters as the rows stand (``_Chunks.progress`` skips chunks)
            BulkJob.objects.filter(pk=job.pk).update(state=BulkJob.State.FAILED, error=why[:2000])
        except Exception:  # the storage refuses even this: the stalled-job sweep resumes the job later
            log.exception("bulk job %s: could not record that it stopped", job.public_id)
        if isinstance(exc, BulkStopped) or not storage_failure(exc):
            raise
        raise BulkStopped(_stopped(why)) from exc  # a write refused outside a batch (the counts)
    with transaction.atomic():
        _recount(job)  # the counters exact at the end (``_Chunks.progress`` skips chunks)
        BulkJob.objects.filter(pk=job.pk).update(state=BulkJob.State.DONE, finished_at=timezone.now())
    job.refresh_from_db()
    return job


class _Chunk:
    """A chunk of rows in flight: its rows, those to issue, and their batch (None: issue them one by
    one, the batch could not be started)."""

    def __init__(self, rows: list[BulkRow], to_issue: list[BulkRow], batch: Batch | None) -> None:
        self.rows, self.to_issue, self.batch = rows, to_issue, batch


class _Chunks:
    """The stages of a job's chunks (decision 0066)."""

    def __init__(self, job: BulkJob, version, design_version) -> None:
        self.job, self.version, self.design_version = job, version, design_version
        self.processes = signing_processes()
        self.finished = 0

    def progress(self) -> None:
        """The job's counters and heartbeat after a chunk. Counting a job's rows reads all of them, so
        past the first chunks they are counted every ``RECOUNT_EVERY`` chunks (the heartbeat still
        moves after each), and ``run_job`` counts once more at the end: a 100,000-row file read its
        rows 500 times, a fifth of its issuing time."""
        self.finished += 1
        if self.finished <= RECOUNT_EVERY or self.finished % RECOUNT_EVERY == 0:
            _recount(self.job)
        else:
            BulkJob.objects.filter(pk=self.job.pk).update(heartbeat_at=timezone.now())

    def request(self, row: BulkRow) -> IssueRequest:
        job = self.job
        return IssueRequest(
            achievement=job.achievement,
            recipient_name=row.name,
            recipient_email=row.email,
            result=[{"type": ["Result"], "value": row.fields["score"]}] if row.fields.get("score") else None,
            source="bulk",
            idempotency_key=idempotency_key(job, row.number),
            actor=job.created_by,
            audit=False,  # the job is audited as a whole (bulk.confirmed)
            merge_fields=row.fields,
            achievement_version=self.version,
            design_version=self.design_version,
            # reserved by an earlier run of this job (its worker died): issued on this very slot
            status_slot=(row.status_list, row.status_index) if row.status_index is not None else None,
        )

    def start(self, rows: list[BulkRow]) -> _Chunk:
        """Check the rows (no writes), reserve the slots of those to issue (committed, each on its row),
        compose, and start signing. A failure other than the storage's leaves the chunk to be issued
        row by row when it is finished."""
        to_issue = _skip_issued_by_other_jobs(self.job, rows)
        if not to_issue:
            return _Chunk(rows, to_issue, None)
        by_key = {idempotency_key(self.job, row.number): row for row in to_issue}
        try:
            batch = Batch([self.request(row) for row in to_issue])
            batch.compose(
                reserve=lambda org, reqs: reserve_slots(self.job, [by_key[r.idempotency_key] for r in reqs])
            )
            batch.sign(self.processes)
        except Exception as exc:
            _stop_if_storage_failed(exc)
            log.exception(
                "bulk job %s: a chunk of %d rows could not be started", self.job.public_id, len(rows)
            )
            return _Chunk(rows, to_issue, None)
        return _Chunk(rows, to_issue, batch)

    def finish(self, chunk: _Chunk) -> None:
        """Wait for the chunk's signatures, then insert its credentials and store its rows' outcomes in
        one transaction (the consumers run after its commit). If that fails as a whole (not a refused
        row: an error no row was blamed for), nothing of it committed, and the rows are issued one by
        one, on their reserved slots, so that only the row that fails is marked failed."""
        job = self.job
        if chunk.batch is not None:
            try:
                chunk.batch.wait()
                with transaction.atomic():
                    chunk.batch.insert()
                    _apply(chunk.to_issue, chunk.batch.finish())
                    _save_outcomes(job, chunk.rows)
                    self.progress()
                return
            except Exception as exc:  # one bad row never stops the others: find it (a refused write does)
                _stop_if_storage_failed(exc)
                log.exception(
                    "bulk job %s: a chunk of %d rows failed; issuing them one by one",
                    job.public_id,
                    len(chunk.to_issue),
                )
            # as stored: nothing of the chunk's transaction was kept
            chunk.rows = _with_lists(
                BulkRow.objects.filter(pk__in=[row.pk for row in chunk.rows]).order_by("number")
            )
            chunk.to_issue = _skip_issued_by_other_jobs(job, chunk.rows)
        _apply(chunk.to_issue, [self.issue_one(row) for row in chunk.to_issue])
        with transaction.atomic():
            _save_outcomes(job, chunk.rows)
            self.progress()

    def issue_one(self, row: BulkRow) -> IssueResult:
        job = self.job
        try:
            [result] = issue_credentials([self.request(row)])
            return result
        except Exception as exc:
            log.exception("bulk job %s row %s failed", job.public_id, row.number)
            committed = _committed(job.organization, idempotency_key(job, row.number))
            if committed is not None:  # what failed came after the commit: the row is issued
                return IssueResult(self.request(row), credential=committed, existing=True)
            _stop_if_storage_failed(exc)
            failed = ValidationError(PROBLEMS["not_issued"], code="not_issued", params={"error": str(exc)})
            return IssueResult(self.request(row), error=ValidationError({"row": failed}))


def reserve_slots(job: BulkJob, rows: list[BulkRow]) -> list[tuple]:
    """Reserve a status slot for each row and record it on the row, in one short committed transaction
    (decision 0066); returns each row's ``(status list, index)``. A row that has one already (another
    runner of this job reserved it meanwhile) keeps it: the job's row lock puts the two runners one
    after the other."""
    with transaction.atomic():
        list(BulkJob.objects.select_for_update().filter(pk=job.pk).values_list("pk"))
        held = {
            pk: (list_id, index)
            for pk, list_id, index in BulkRow.objects.filter(
                pk__in=[row.pk for row in rows], status_index__isnull=False
            ).values_list("pk", "status_list_id", "status_index")
        }
        if held:
            lists = _lists({list_id for list_id, _index in held.values()})
            for row in rows:
                if row.pk in held:
                    row.status_list, row.status_index = lists[held[row.pk][0]], held[row.pk][1]
        need = [row for row in rows if row.pk not in held]
        if need:
            for row, (status_list, index) in zip(
                need, status_lists.allocate_slots(job.organization, len(need)), strict=True
            ):
                row.status_list, row.status_index = status_list, index
            _record_slots(need)
    return [(row.status_list, row.status_index) for row in rows]


def _lists(ids: set[int]) -> dict[int, StatusList]:
    """The status lists of reserved slots, as a credential needs them (its id, the list's URL): not their
    bits and signed documents, tens of kilobytes each."""
    return StatusList.objects.only("id", "public_id", "organization_id").in_bulk(ids)


def _with_lists(rows) -> list[BulkRow]:
    """``rows`` with the status list of each reserved slot attached (one query for the chunk)."""
    rows = list(rows)
    lists = _lists({row.status_list_id for row in rows if row.status_list_id is not None})
    for row in rows:
        if row.status_list_id is not None:
            row.status_list = lists[row.status_list_id]
    return rows


def _record_slots(rows: list[BulkRow]) -> None:
    """Each row's reserved slot, one UPDATE per row sent in one ``executemany``: ``bulk_update``'s
    CASE over 200 rows cost 0.3 s a chunk on SQLite (a third of the job, cProfile)."""
    table = connection.ops.quote_name(BulkRow._meta.db_table)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {table} SET status_list_id = %s, status_index = %s WHERE id = %s",  # noqa: S608 (our names)
            [(row.status_list.pk, row.status_index, row.pk) for row in rows],
        )


def _apply(rows: list[BulkRow], results: list[IssueResult]) -> None:
    """Each row's outcome from its own result."""
    for row, result in zip(rows, results, strict=True):
        if result.credential is not None:
            row.credential, row.outcome = result.credential, BulkRow.Outcome.ISSUED
            continue
        row.outcome = BulkRow.Outcome.FAILED
        error = result.error or ValidationError(
            {"row": ValidationError(PROBLEMS["not_issued_unknown"], code="not_issued_unknown")}
        )
        row.problems = [*row.problems, *_stored_problems(error)]


def _committed(org, key: str) -> Credential | None:
    """The credential issued under ``key``, if its transaction committed (None when it did not, or when
    the database cannot even be read)."""
    try:
        return Credential.objects.filter(organization=org, idempotency_key=key).first()
    except Exception:  # the database is unreadable as well: nothing is known to be issued
        log.exception("bulk: could not look up %s", key)
        return None


def _save_outcomes(job: BulkJob, chunk: list[BulkRow]) -> None:
    """Store the chunk's outcomes. Issued rows (nearly all): one UPDATE, each row linked to the
    credential its idempotency key names; skipped and failed rows (their problems too) one by one."""
    issued = [row.pk for row in chunk if row.outcome == BulkRow.Outcome.ISSUED]
    if issued:
        key = Concat(Value(key_prefix(job)), Cast(OuterRef("number"), CharField()))
        credential = Credential.objects.filter(organization_id=job.organization_id, idempotency_key=key)
        BulkRow.objects.filter(pk__in=issued).update(
            outcome=BulkRow.Outcome.ISSUED, credential=Subquery(credential.values("pk")[:1])
        )
    others = [row for row in chunk if row.outcome != BulkRow.Outcome.ISSUED]
    if others:
        BulkRow.objects.bulk_update(others, ["credential", "outcome", "problems"])


def _stop_if_storage_failed(exc: Exception) -> None:
    """The storage refused a write: stop the job. Nothing of the failed batch committed (one
    transaction); rows issued before stay issued, and Resume (or the same file again) issues the rest,
    none twice (their idempotency keys)."""
    if why := storage_failure(exc):
        raise BulkStopped(_stopped(why)) from exc


def _stopped(why: str) -> str:
    return (
        f"stopped: {why}. The rows issued stay issued; free space, then press Resume "
        "(or run the same file again): the others are issued, none twice"
    )


def _stored_problems(error: ValidationError) -> list[dict]:
    """An issuance refusal as stored problems: with its code and values when it has a known code (shown in
    the reader's language), else its text."""
    if not hasattr(error, "error_dict"):
        return [{"field": "row", "message": m} for m in error.messages]
    stored = []
    for field, errors in error.error_dict.items():
        for each in errors:
            try:
                stored.append(_problem(field, each.code or "", **(each.params or {})))
            except (KeyError, TypeError, ValueError):  # no code of ours, or values its text does not name
                stored += [{"field": field, "message": m} for m in each.messages]
    return stored


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


RECOUNT_EVERY = 10  # chunks between two counts of a job's rows, past its first ten
STALLED_AFTER = timedelta(minutes=10)  # a chunk of 200 rows takes seconds: ten minutes is a dead worker
MAX_RESUMES = 5
# The page offers Resume once a queued or running job has not moved for this long (a chunk takes
# seconds); before that it is only waiting its turn or working.
LOOKS_STUCK_AFTER = timedelta(minutes=2)


def is_stalled(job: BulkJob, now=None) -> bool:
    """Whether the page should offer Resume: the job failed, or it is queued or running but its
    heartbeat is old (its worker stopped)."""
    if job.state == BulkJob.State.FAILED:
        return True
    if job.state not in (BulkJob.State.QUEUED, BulkJob.State.RUNNING):
        return False
    beat = job.heartbeat_at or job.created_at
    return beat < (now or timezone.now()) - LOOKS_STUCK_AFTER


SAMPLE_CSV = (
    "name,email,score,grade\r\n"
    "Ada Lovelace,ada@example.org,92,Distinction\r\n"
    "Tomás Ortega,tomas.ortega@example.org,78,Merit\r\n"
    "Nguyễn Thị Mai,mai.nguyen@example.org,85,Merit\r\n"
)


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
                {
                    "file": _("this upload is %(state)s; nothing to resume")
                    % {"state": locked.get_state_display().lower()}
                }
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
