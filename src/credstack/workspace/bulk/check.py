"""A bulk upload read and checked, before anything is issued: the file's columns mapped to the
recipient's name, email and score, and the dry run, which lists every problem by row and field
(``create_job``, ``check_job``; ``prepare_job`` does both). Each row gets the idempotency key it is
issued under."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from credstack.credentials.actions import held_credentials
from credstack.credentials.models import Credential
from credstack.credentials.validation import MESSAGES, clean_email, clean_name
from credstack.organizations import audit
from credstack.organizations.actors import as_actor

from ..models import BulkJob, BulkRow
from ..tables import Table, guess_mapping, merge_key, read_table

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


def problem(field: str, code: str, **params: object) -> dict:
    with translation.override("en"):
        message = str(PROBLEMS[code] % params if params else PROBLEMS[code])
    return {"field": field, "message": message, "code": code, "params": params}


def _invalid(exc: ValidationError, field: str) -> dict:
    """A clean_name/clean_email refusal as a stored problem (its code and values kept)."""
    error = exc.error_dict[field][0] if hasattr(exc, "error_dict") and field in exc.error_dict else None
    if error is None or error.code not in PROBLEMS:
        return {"field": field, "message": _msg(exc, field)}
    return problem(field, error.code, **(error.params or {}))


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
            problems.append(problem("row", "cells", cells=len(raw), columns=len(table.columns)))
        name, email = cells[ni], cells[ei]
        for label, value in (("name", name), ("email", email)):
            if value.strip().startswith(FORMULA_START[:4]) and value.strip()[:1] in "=+@":
                problems.append(problem(label, "formula", char=repr(value.strip()[0])))
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
                problems.append(problem(k, "field_too_long", length=len(v), limit=500))
        if not problems:
            key = email.lower()
            if idempotency_key(job, number) in from_this_file:
                outcome = BulkRow.Outcome.SKIPPED
                problems.append(problem("row", "issued_from_file"))
            elif key in first_seen:
                problems.append(problem("email", "duplicate", row=first_seen[key]))
            elif key in holders:
                held = holders[key]
                problems.append(
                    {
                        **problem(
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


SAMPLE_CSV = (
    "name,email,score,grade\r\n"
    "Ada Lovelace,ada@example.org,92,Distinction\r\n"
    "Tomás Ortega,tomas.ortega@example.org,78,Merit\r\n"
    "Nguyễn Thị Mai,mai.nguyen@example.org,85,Merit\r\n"
)
