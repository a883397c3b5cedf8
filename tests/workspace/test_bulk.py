"""Bulk issuance: dry run lists every problem by row and field; nothing is issued twice; resumable."""

from __future__ import annotations

import io

import pytest

from credstack.credentials.models import Credential
from credstack.workspace import bulk, tables
from credstack.workspace.models import BulkJob, BulkRow

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = (
    "Name,Email,Score,Cohort\n"
    "Ada Lovelace,ada@example.org,95,Spring\n"
    "محمد الفارسي,mohammed@example.org,88,Spring\n"
    ",missing@example.org,70,Spring\n"
    "Bad Email,not-an-email,70,Spring\n"
    "Ada Again,ADA@example.org,90,Spring\n"
    '=HYPERLINK("http://evil"),formula@example.org,1,Spring\n'
    "王小明,wang@example.org,77,=cmd\n"
).encode()


def _job(achievement, data=CSV, name="cohort.csv", kind="text/csv"):
    return bulk.prepare_job(
        organization=achievement.organization, achievement=achievement, filename=name, data=data, kind=kind
    )


def problems(job):
    return {r.number: [(p["field"], p["message"]) for p in r.problems] for r in job.rows.all() if r.problems}


def test_dry_run_lists_every_problem_by_row_and_field_and_issues_nothing(achievement):
    job = _job(achievement)
    assert job.state == "preview" and job.total == 7 and job.valid == 3
    p = problems(job)
    assert p[4] == [("name", "is required")]
    assert p[5][0][0] == "email" and "not-an-email" in p[5][0][1]
    assert p[6] == [("email", "duplicate of row 2 (same email)")]
    assert p[7][0][0] == "name" and "formula" in p[7][0][1]
    assert Credential.objects.count() == 0


def test_confirm_issues_valid_rows_with_merge_fields_then_same_file_issues_nothing_twice(
    achievement, issue, run_on_commit
):
    held = issue(name="Held Already", email="held@example.org")
    data = CSV + b"Held Already,held@example.org,50,Spring\n"
    job = _job(achievement, data)
    [(field, message)] = problems(job)[9]  # row 9: the existing credential named
    assert field == "email" and message.startswith(
        "held@example.org already holds Python Basics: credential "
    )
    assert f"{held.public_id}, issued {held.issued_at.date().isoformat()}" in message
    with run_on_commit():
        bulk.confirm_job(job)  # immediate task backend: runs at commit
    job.refresh_from_db()
    assert job.state == "done" and job.issued == 3 and job.failed == 0
    ada = Credential.objects.get(recipient_email="ada@example.org")
    assert ada.merge_fields == {"score": "95", "cohort": "Spring"} and ada.source == "bulk"
    assert ada.signed()["credentialSubject"]["result"][0]["value"] == "95"
    wang = Credential.objects.get(recipient_email="wang@example.org")
    assert wang.merge_fields["cohort"] == "=cmd"  # stored as typed; exports escape it
    results = bulk.results_csv(job)
    assert "'=cmd" not in results  # merge fields are not in the results file
    assert "'=HYPERLINK" in results  # the bad name is, escaped

    again = _job(achievement, data)
    assert again.valid == 0
    assert {
        n
        for n, ps in problems(again).items()
        if any("already issued from this same file" in m for _, m in ps)
    } == {2, 3, 8}
    with pytest.raises(Exception, match="no row can be issued"):
        bulk.confirm_job(again)
    assert Credential.objects.count() == 4


def test_fixed_file_issues_only_the_fixed_rows(achievement, run_on_commit):
    job = _job(achievement)
    with run_on_commit():
        bulk.confirm_job(job)
    fixed = CSV.replace(b",missing@example.org", b"Grace Hopper,missing@example.org").replace(
        b"not-an-email", b"bad@example.org"
    )
    job2 = _job(achievement, fixed, "cohort-fixed.csv")
    assert job2.valid == 2  # the two fixed rows; the three issued hold it already
    with run_on_commit():
        bulk.confirm_job(job2)
    assert Credential.objects.count() == 5
    assert Credential.objects.filter(recipient_email="ada@example.org").count() == 1


def test_resumes_after_a_crash_without_issuing_twice(achievement):
    job = _job(achievement)
    BulkJob.objects.filter(pk=job.pk).update(state="running")
    # the worker issued row 2 and died before recording it
    row = job.rows.get(number=2)
    from credstack.credentials.actions import issue_credential

    issue_credential(
        achievement=achievement,
        recipient_name=row.name,
        recipient_email=row.email,
        idempotency_key=bulk.idempotency_key(job, 2),
    )
    bulk.run_job(job.pk)
    job.refresh_from_db()
    assert job.state == "done" and job.issued == 3
    assert Credential.objects.filter(recipient_email="ada@example.org").count() == 1
    assert job.rows.filter(outcome=BulkRow.Outcome.ISSUED).count() == 3


def test_slots_are_reserved_in_blocks(achievement, monkeypatch, run_on_commit):
    from credstack.credentials import status_lists

    calls = []
    real = status_lists.allocate_slots
    monkeypatch.setattr(status_lists, "allocate_slots", lambda org, n=1: calls.append(n) or real(org, n))
    job = _job(achievement)
    with run_on_commit():
        bulk.confirm_job(job)
    assert calls == [3]
    idx = list(Credential.objects.values_list("status_list_id", "status_index"))
    assert len(set(idx)) == 3


def test_xlsx_with_unmapped_columns(achievement):
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Learner", "Contact", "Grade"])
    ws.append(["Olga Petrova", "olga@example.org", 91])
    buf = io.BytesIO()
    wb.save(buf)
    job = bulk.create_job(
        organization=achievement.organization,
        achievement=achievement,
        filename="x.xlsx",
        data=buf.getvalue(),
        kind=XLSX,
    )
    assert job.mapping == {"name": "Learner", "email": "", "score": "Grade"} and job.total == 0
    job = bulk.check_job(job, {"name": "Learner", "email": "Contact", "score": "Grade"})
    assert job.valid == 1 and job.rows.get().fields == {"score": "91"}


def _xlsx_declaring(dimension: str, empty_rows: int) -> bytes:
    """A real workbook (a header and one learner) whose sheet then declares ``dimension`` and holds
    ``empty_rows`` empty rows spanning every column, as a hostile or badly exported file does."""
    import re
    import zipfile

    import openpyxl

    wb = openpyxl.Workbook()
    wb.active.append(["name", "email"])
    wb.active.append(["Olga Petrova", "olga@example.org"])
    plain = io.BytesIO()
    wb.save(plain)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(plain.getvalue())) as zin, zipfile.ZipFile(out, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                sheet = re.sub(r'<dimension ref="[^"]+"/>', f'<dimension ref="{dimension}"/>', data.decode())
                empty = "".join(f'<row r="{n}" spans="1:16384"/>' for n in range(3, 3 + empty_rows))
                data = sheet.replace("</sheetData>", empty + "</sheetData>").encode()
            zout.writestr(item, data, zipfile.ZIP_DEFLATED)
    return out.getvalue()


def test_an_xlsx_declaring_every_column_is_read_by_its_header_in_little_memory(achievement):
    """A 26 KB workbook declaring A1:XFD8002 over 8,000 empty rows took 45 s and 1.1 GB (every row
    padded to 16,384 cells); only the header's columns are read now, as a stream."""
    import tracemalloc

    data = _xlsx_declaring("A1:XFD8002", 8000)
    assert len(data) < 64 * 1024
    tracemalloc.start()
    try:
        table = tables.read_table(data, XLSX, "declared.xlsx")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert table.columns == ["name", "email"]
    assert table.rows == [["Olga Petrova", "olga@example.org"]]
    assert peak < 20 * 1024 * 1024, f"{peak / 1e6:.0f} MB"


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "empty"),
        (b"\xff\xfe n\x00a\x00", "not UTF-8"),
        (b"name,name\nA,B\n", "appears twice"),
        (b",email\nA,a@example.org\n", "column 1 has no name"),
    ],
)
def test_unreadable_files_are_refused_with_a_clear_message(achievement, data, message):
    with pytest.raises(tables.FileProblem, match=message):
        _job(achievement, data)
    assert BulkJob.objects.count() == 0


def test_upload_page_refuses_huge_and_disguised_files(signed_in, org, achievement):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = signed_in("issuer")
    png = b"\x89PNG\r\n\x1a\n" + b"\0" * 100
    r = client.post(
        f"/w/{org.slug}/bulk/",
        {"achievement": achievement.public_id, "file": SimpleUploadedFile("people.csv", png)},
    )
    assert "is named .csv but is really a PNG file" in r.content.decode()
    big = SimpleUploadedFile("big.csv", b"name,email\n" + b"x" * (80 * 1024 * 1024))
    r = client.post(f"/w/{org.slug}/bulk/", {"achievement": achievement.public_id, "file": big})
    assert r.status_code == 413 and "the file is about 80.0 MB; the limit is 20.0 MB" in r.content.decode()
    assert BulkJob.objects.count() == 0


def test_bulk_pages_end_to_end_with_the_client(signed_in, org, achievement, run_on_commit):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = signed_in("issuer")
    r = client.post(
        f"/w/{org.slug}/bulk/",
        {"achievement": achievement.public_id, "file": SimpleUploadedFile("c.csv", CSV)},
    )
    assert r.status_code == 302
    page = client.get(r["Location"]).content.decode()
    assert "duplicate of row 2 (same email)" in page and "Issue 3 credentials" in page
    job = BulkJob.objects.get()
    with run_on_commit():
        client.post(f"/w/{org.slug}/bulk/{job.public_id}/confirm")
    page = client.get(f"/w/{org.slug}/bulk/{job.public_id}/").content.decode()
    assert "Summary" in page and "Download the results file" in page
    progress = client.get(f"/w/{org.slug}/bulk/{job.public_id}/progress", HTTP_HX_REQUEST="true")
    assert 'aria-valuenow="100"' in progress.content.decode()
    csv_text = client.get(f"/w/{org.slug}/bulk/{job.public_id}/results.csv").content.decode()
    assert csv_text.splitlines()[0] == "row,name,email,outcome,credential_url,problems"
    assert "http://testserver/c/" in csv_text


def test_a_stuck_job_is_resumed_from_its_page(signed_in, org, achievement, run_on_commit):
    job = _job(achievement)
    BulkJob.objects.filter(pk=job.pk).update(state="running")  # the worker died before doing anything
    client = signed_in("issuer")
    with run_on_commit():
        r = client.post(f"/w/{org.slug}/bulk/{job.public_id}/resume", follow=True)
    assert "Resumed" in r.content.decode()
    job.refresh_from_db()
    assert job.state == "done" and job.issued == 3
    with run_on_commit():
        r = client.post(f"/w/{org.slug}/bulk/{job.public_id}/resume", follow=True)
    assert "this upload is done; nothing to resume" in r.content.decode()
    assert Credential.objects.count() == 3


def test_control_characters_and_oversized_cells_are_reported(achievement):
    data = (
        "name,email,note\n"
        "Bell\x07Name,bell@example.org,ok\n"
        f"Long Note,long@example.org,{'x' * 501}\n"
        f"{'N' * 501},big@example.org,ok\n"
        "Ünïcödé Ok,ok@example.org,ok\n"
    ).encode()
    job = _job(achievement, data)
    p = problems(job)
    assert p[2] == [("name", "contains the control character U+0007 at position 5")]
    assert p[3] == [("note", "is 501 characters; at most 500")]
    assert p[4] == [("name", "is 501 characters long; at most 500 are allowed")]
    assert job.valid == 1


def test_a_row_refused_at_issue_is_named_and_the_rest_of_its_chunk_is_issued(achievement, run_on_commit):
    """A row that passed the dry run but is refused when issued (here: changed since) fails alone, with
    the field and the reason; its chunk's other rows are issued in the same batch."""
    job = _job(achievement)
    row = job.rows.get(number=3)
    BulkRow.objects.filter(pk=row.pk).update(email="no-longer-an-email")
    with run_on_commit():
        bulk.confirm_job(job)
    job.refresh_from_db()
    assert (job.state, job.issued, job.failed) == ("done", 2, 1)
    failed = job.rows.get(number=3)
    assert failed.outcome == BulkRow.Outcome.FAILED and failed.credential_id is None
    assert [p["field"] for p in failed.problems] == ["recipient_email"]
    issued = job.rows.filter(outcome=BulkRow.Outcome.ISSUED)
    assert Credential.objects.filter(pk__in=issued.values("credential_id")).count() == 2


def test_an_unreadable_file_is_refused_in_the_issuers_language(signed_in, org, achievement):
    """Issue 17: the file's problem, on the upload page, in the language the issuer chose."""
    from django.core.files.uploadedfile import SimpleUploadedFile  # Django's upload double: this test only

    client = signed_in("issuer")
    assert client.post("/w/language", {"language": "de"}).status_code == 302
    r = client.post(
        f"/w/{org.slug}/bulk/",
        {
            "achievement": achievement.public_id,
            "file": SimpleUploadedFile("kohorte.csv", b"name,name\nA,B\n"),
        },
    )
    html = r.content.decode()
    assert "kohorte.csv: der Spaltenname &#x27;name&#x27; kommt in der ersten Zeile zweimal vor" in html
    assert BulkJob.objects.count() == 0


def test_the_rows_problems_are_shown_in_the_issuers_language_and_stored_in_english(
    signed_in, org, achievement
):
    """Issue 17: the dry run's problems, by row and field, in the language the issuer chose; the results
    file, the API and the command line keep reading them in English."""
    from django.core.files.uploadedfile import SimpleUploadedFile  # Django's upload double: this test only

    client = signed_in("issuer")
    assert client.post("/w/language", {"language": "de"}).status_code == 302
    r = client.post(
        f"/w/{org.slug}/bulk/",
        {"achievement": achievement.public_id, "file": SimpleUploadedFile("kohorte.csv", CSV)},
    )
    page = client.get(r["Location"]).content.decode()
    assert "Doppelt zu Zeile 2 (gleiche E-Mail-Adresse)" in page
    assert "&#x27;not-an-email&#x27; ist keine gültige E-Mail-Adresse" in page
    assert "eine Tabellenformel, kein Name und keine E-Mail-Adresse" in page
    assert "ist erforderlich" in page and "duplicate of row" not in page
    stored = problems(BulkJob.objects.get())
    assert stored[6] == [("email", "duplicate of row 2 (same email)")] and stored[4] == [
        ("name", "is required")
    ]


def test_a_long_job_shows_its_progress_as_it_goes_and_ends_with_exact_counts(achievement, settings):
    """Past its first ten chunks a job counts its rows every tenth chunk (a 100,000-row file read all its
    rows after each of 500 chunks); the page's progress still moves, and the job ends with every count
    exact, a row failed at issue included."""
    settings.CREDSTACK_BULK_CHUNK = 1
    rows = "".join(f"Learner {i},learner{i}@example.org,{60 + i},Spring\n" for i in range(25))
    job = _job(achievement, f"name,email,score,cohort\n{rows}".encode())
    BulkRow.objects.filter(job=job, number=24).update(email="no-longer-an-email")
    bulk.confirm_job(job, background=False)
    seen: list[int] = []
    job = bulk.run_job(job.pk, progress=lambda j: seen.append(j.issued + j.failed))
    assert seen == sorted(seen) and seen[0] == 1 and seen[9] == 10 and seen[-1] >= 20
    assert (job.state, job.issued, job.failed, job.valid) == ("done", 24, 1, 25)
