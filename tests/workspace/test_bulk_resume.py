"""A bulk job killed at any stage of a chunk resumes exactly once (decision 0066): the rows' status slots
are reserved and recorded on the rows before their credentials are signed, so a resumed job issues each
row once, on the slot it reserved: no duplicate credential, no index shared, no index left unused.

The states a killed worker leaves are made with the job's own stages (``bulk.reserve_slots``; the
pipeline's ``issue_credentials`` for a chunk whose insert committed but whose outcomes were not saved)."""

from __future__ import annotations

from credstack.credentials.actions import IssueRequest, issue_credentials
from credstack.credentials.models import Credential, StatusList
from credstack.credentials.resolver import local_fetch
from credstack.vc import verify as vc_verify
from credstack.workspace import bulk
from credstack.workspace.models import BulkJob, BulkRow


def _csv(count: int) -> bytes:
    lines = ["name,email,score"] + [f"Learner {i},learner{i}@example.org,{50 + i % 50}" for i in range(count)]
    return ("\n".join(lines) + "\n").encode()


def _running_job(achievement, count: int) -> BulkJob:
    job = bulk.prepare_job(
        organization=achievement.organization,
        achievement=achievement,
        filename="cohort.csv",
        data=_csv(count),
        kind="text/csv",
    )
    BulkJob.objects.filter(pk=job.pk).update(state=BulkJob.State.RUNNING)
    return job


def _rows(job, *numbers) -> list[BulkRow]:
    return list(job.rows.filter(number__in=numbers).select_related("status_list").order_by("number"))


def _killed_after_the_insert(job, rows) -> None:
    """What a worker killed between the chunk's commit and its outcomes leaves: credentials on the rows'
    reserved slots under their keys, the rows still pending."""
    bulk.reserve_slots(job, rows)
    results = issue_credentials(
        [
            IssueRequest(
                achievement=job.achievement,
                recipient_name=row.name,
                recipient_email=row.email,
                source="bulk",
                idempotency_key=bulk.idempotency_key(job, row.number),
                status_slot=(row.status_list, row.status_index),
            )
            for row in rows
        ]
    )
    assert all(r.credential for r in results)


def _assert_exactly_once(job, count: int, unused_rows: int = 0) -> list[Credential]:
    """Every row one credential, on the slot its row names; the indexes used are the first ``count``
    slots of the list (none shared, none skipped)."""
    job.refresh_from_db()
    assert job.state == BulkJob.State.DONE
    credentials = list(Credential.objects.filter(idempotency_key__startswith=bulk.key_prefix(job)))
    keys = [c.idempotency_key for c in credentials]
    assert len(keys) == len(set(keys)) == count - unused_rows
    issued = job.rows.filter(outcome=BulkRow.Outcome.ISSUED)
    assert issued.count() == count - unused_rows
    for row in issued.select_related("credential"):
        assert row.credential.idempotency_key == bulk.idempotency_key(job, row.number)
        assert (row.credential.status_list_id, row.credential.status_index) == (
            row.status_list_id,
            row.status_index,
        )
    status_list = StatusList.objects.get(organization=job.organization)
    used = [c.status_index for c in credentials] + list(
        job.rows.exclude(outcome=BulkRow.Outcome.ISSUED)
        .exclude(status_index=None)
        .values_list("status_index", flat=True)
    )
    assert len(used) == len(set(used)) == count
    assert status_list.next_slot == count
    assert set(used) == {status_list.index_of_slot(s) for s in range(count)}
    return credentials


def test_killed_after_reserving_the_resumed_job_issues_each_row_once_on_its_reserved_slot(achievement):
    job = _running_job(achievement, 5)
    rows = _rows(job, 2, 3, 4, 5, 6)
    slots = {
        row.number: (row.status_list.pk, index)
        for row, (_, index) in zip(rows, bulk.reserve_slots(job, rows), strict=True)
    }
    assert Credential.objects.count() == 0
    bulk.run_job(job.pk)
    _assert_exactly_once(job, 5)
    for row in job.rows.select_related("credential"):
        assert (row.credential.status_list_id, row.credential.status_index) == slots[row.number]


def test_killed_after_the_insert_the_resumed_job_records_the_credentials_and_issues_nothing_again(
    achievement,
):
    job = _running_job(achievement, 4)
    _killed_after_the_insert(job, _rows(job, 2, 3, 4, 5))
    before = set(Credential.objects.values_list("pk", flat=True))
    bulk.run_job(job.pk)
    credentials = _assert_exactly_once(job, 4)
    assert {c.pk for c in credentials} == before


def test_killed_mid_job_with_a_chunk_at_each_stage_resumes_exactly_once(achievement, settings, run_on_commit):
    settings.CREDSTACK_BULK_CHUNK = 2
    job = _running_job(achievement, 7)
    _killed_after_the_insert(job, _rows(job, 2, 3))  # chunk 1: inserted, outcomes not saved
    bulk.reserve_slots(job, _rows(job, 4, 5))  # chunk 2: reserved, not signed
    with run_on_commit():
        bulk.run_job(job.pk)  # chunks 2 to 4, and chunk 1's outcomes
    _assert_exactly_once(job, 7)


def test_a_row_refused_after_its_slot_was_reserved_keeps_the_slot_and_the_others_are_issued(achievement):
    job = _running_job(achievement, 3)
    bulk.reserve_slots(job, _rows(job, 2, 3, 4))
    BulkRow.objects.filter(job=job, number=3).update(email="no-longer-an-email")
    bulk.run_job(job.pk)
    _assert_exactly_once(job, 3, unused_rows=1)
    failed = job.rows.get(number=3)
    assert failed.outcome == BulkRow.Outcome.FAILED and failed.credential_id is None
    assert failed.status_index is not None
    assert not Credential.objects.filter(
        status_list=failed.status_list, status_index=failed.status_index
    ).exists()


def test_the_same_file_again_takes_the_slots_an_abandoned_job_reserved(achievement):
    abandoned = _running_job(achievement, 3)
    reserved = [index for _, index in bulk.reserve_slots(abandoned, _rows(abandoned, 2, 3, 4))]
    again = bulk.prepare_job(
        organization=achievement.organization,
        achievement=achievement,
        filename="cohort.csv",
        data=_csv(3),
        kind="text/csv",
    )
    assert sorted(again.rows.values_list("status_index", flat=True)) == sorted(reserved)
    BulkJob.objects.filter(pk=again.pk).update(state=BulkJob.State.RUNNING)
    bulk.run_job(again.pk)
    _assert_exactly_once(again, 3)


def test_chunks_signed_in_the_signing_processes_verify_and_take_consecutive_slots(
    achievement, settings, run_on_commit
):
    settings.CREDSTACK_BULK_CHUNK = 70  # two chunks large enough for the pool, then a small one
    settings.CREDSTACK_SIGNING_PROCESSES = 2
    job = _running_job(achievement, 150)
    with run_on_commit():
        bulk.run_job(job.pk)
    credentials = _assert_exactly_once(job, 150)
    for credential in credentials[::37]:
        report = vc_verify.verify_credential(credential.signed(), fetch=local_fetch)
        assert report.valid, report.to_dict()
