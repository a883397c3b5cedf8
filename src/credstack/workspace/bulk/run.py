"""The job that issues a checked upload (``run_job``): chunk by chunk, through the stages of the one
pipeline (``credentials.actions.Batch``, decision 0066), each row's outcome stored as it is issued."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, cast

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import CharField, Count, OuterRef, Subquery, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from credstack.achievements.actions import current_version
from credstack.credentials import status_lists
from credstack.credentials.actions import (
    Batch,
    IssueRequest,
    IssueResult,
    issue_credentials,
    signing_processes,
)
from credstack.credentials.models import Credential, StatusList
from credstack.ui.storage import storage_failure

from ..models import BulkJob, BulkRow
from .check import PROBLEMS, idempotency_key, key_prefix, problem

log = logging.getLogger("credstack.workspace.bulk")  # log lines keep the name they had before the split


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
        job,
        current_version(achievement),
        cast(Any, achievement.design).current if achievement.design_id else None,
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
                reserve=lambda org, reqs: reserve_slots(
                    self.job, [by_key[cast(str, r.idempotency_key)] for r in reqs]
                )
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
            [(cast(StatusList, row.status_list).pk, row.status_index, row.pk) for row in rows],
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
        # never AlreadyHeld: a file's requests allow duplicates (the dry run reported the holders)
        row.problems = [*row.problems, *_stored_problems(cast(ValidationError, error))]


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
                stored.append(problem(field, each.code or "", **(each.params or {})))
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
    elsewhere: dict[int | None, str] = dict(
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
