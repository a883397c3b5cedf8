"""Bulk issuance from a CSV or XLSX file: parse -> map columns -> dry run (every problem by row and
field) -> confirm -> issue in chunks (status slots reserved a block at a time) -> results file.

Idempotent per file: each row's idempotency key is ``bulk:<achievement>:<sha256 of the file>:<row>``,
so uploading the same file again issues nothing twice, and a job whose worker died resumes: rows
still pending are issued, rows already issued are found by their key.

One module per step; import the names from here (``credstack.workspace.bulk``):

- ``check``: the file read, its columns mapped, the dry run (``create_job``, ``check_job``, ``prepare_job``);
- ``run``: the job that issues the rows, chunk by chunk (``run_job``);
- ``jobs``: queueing (``start_job``, ``confirm_job``, the task ``run_bulk_job``), resuming a stalled job,
  the results file, the purge of old uploads.
"""

# issue_credential, IssueRequest: still importable from here, as before the split
from credstack.credentials.actions import IssueRequest, issue_credential

from .check import (
    FORMULA_START,
    PROBLEMS,
    ROW_BATCH,
    SAMPLE_CSV,
    check_job,
    create_job,
    idempotency_key,
    key_prefix,
    prepare_job,
    problem,
)
from .jobs import (
    LOOKS_STUCK_AFTER,
    MAX_RESUMES,
    STALLED_AFTER,
    confirm_job,
    is_stalled,
    purge_uploads,
    results_csv,
    resume_job,
    resume_stalled,
    retention_days,
    run_bulk_job,
    start_job,
)
from .run import RECOUNT_EVERY, BulkStopped, reserve_slots, run_job

__all__ = [
    "FORMULA_START",
    "LOOKS_STUCK_AFTER",
    "MAX_RESUMES",
    "PROBLEMS",
    "RECOUNT_EVERY",
    "ROW_BATCH",
    "SAMPLE_CSV",
    "STALLED_AFTER",
    "BulkStopped",
    "IssueRequest",
    "check_job",
    "confirm_job",
    "create_job",
    "idempotency_key",
    "is_stalled",
    "issue_credential",
    "key_prefix",
    "prepare_job",
    "problem",
    "purge_uploads",
    "reserve_slots",
    "results_csv",
    "resume_job",
    "resume_stalled",
    "retention_days",
    "run_bulk_job",
    "run_job",
    "start_job",
]
