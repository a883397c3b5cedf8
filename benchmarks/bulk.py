"""Bulk issuance from a 10,000-row CSV, as the workspace and `credstack bulk-issue` do it: parse, dry run
(every row validated, duplicates and existing holders checked), then issue in chunks of 200, each chunk
one batch of the pipeline (``issue_credentials``: slots reserved in one step, signed with one key,
credentials, events and outbox rows inserted in bulk in one transaction; the outbox's consumers — email
queued, webhooks, pathways — run after each commit, in this process). Temporary CREDSTACK_HOME; SQLite
unless DATABASE_URL is set.

    .venv/bin/python benchmarks/bulk.py [--rows 10000] [--signing-processes N] [--naive-processes 2]

Side by side in the same run, the naive pipeline of issue 12: plain pyld (URDNA2015 through
``jsonld.normalize``, bundled contexts, nothing cached by us) for the document and the proof
configuration, Ed25519, and a reportlab PDF per credential written to disk, in ``--naive-processes``
processes (0: skip it). The naive PDF is the certificate credstack draws by default (its classic template's
frame, type, the name in the face of its script, QR code, credential id; decision 0074), or with
``--naive-pdf bare`` the three Helvetica lines this benchmark drew before. Reports credentials/s by wall clock and by CPU time (this process and its
children), the load average (the machine is shared), the first download of a PDF (rendered on demand),
and peak RSS.
"""

from __future__ import annotations

import argparse
import os
import resource
import tempfile
import time
from datetime import UTC, datetime

NAMES = [
    "Ada Lovelace",
    "محمد الفارسي",
    "王小明",
    "Ольга Петрова",
    "प्रिया शर्मा",
    "אביגיל בן-דוד",
    "Zoë O'Brien",
]


def recipient_name(i: int) -> str:
    """The i-th row's learner: the names of seven scripts in turn, numbered."""
    return f"{NAMES[i % len(NAMES)]} {i}"


def make_csv(rows: int) -> bytes:
    lines = ["name,email,score,cohort"]
    for i in range(rows):
        lines.append(f"{recipient_name(i)},learner{i}@example.org,{60 + i % 40},Spring 2026")
    return ("\n".join(lines) + "\n").encode()


def _own_cpu() -> float:
    """CPU seconds of this process alone: the issuing process, the job's critical path when the signing
    processes keep up (decision 0066)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    return own.ru_utime + own.ru_stime


def _cpu() -> float:
    """CPU seconds of this process and of its children that ended."""
    own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


_FONT_DIR = os.path.join(os.path.dirname(__file__), "..", "src", "credstack", "render", "fonts")
# the naive certificate's faces: Noto Serif for the page, the recipient's name in the face of its script
# (reportlab embeds TrueType only: the CJK face is CFF, so a Chinese name falls back to Noto Serif)
_NAIVE_FACES = {
    "serif": "NotoSerif-Regular.ttf",
    "serif-bold": "NotoSerif-Bold.ttf",
    "serif-italic": "NotoSerif-Italic.ttf",
    "sans": "NotoSans-Regular.ttf",
    "arabic-bold": "NotoNaskhArabic-Bold.ttf",
    "hebrew-bold": "NotoSerifHebrew-Bold.ttf",
    "devanagari-bold": "NotoSerifDevanagari-Bold.ttf",
}


def _name_face(name: str) -> str:
    for ch in name:
        code = ord(ch)
        if 0x0600 <= code <= 0x06FF:
            return "arabic-bold"
        if 0x0590 <= code <= 0x05FF:
            return "hebrew-bold"
        if 0x0900 <= code <= 0x097F:
            return "devanagari-bold"
    return "serif-bold"


def _naive_certificate(path: str, doc: dict, name: str, url: str) -> None:
    """A reportlab certificate with what credstack's default (classic) certificate shows: cream paper, a
    double frame, uppercase serif heading, the recipient's name in the face of its script, the achievement,
    date and issuer fields, a QR code to the credential's page and its id; the credential beside it."""
    import json

    import segno
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.pdfgen import canvas

    width, height = landscape(A4)
    pdf = canvas.Canvas(path, pagesize=(width, height))
    pdf.setTitle(f"Certificate: {name}")
    pdf.setFillColor("#fbf8f1")
    pdf.rect(0, 0, width, height, stroke=0, fill=1)
    for inset, colour, line in ((51, "#1d3f6e", 3.2), (71, "#b08d3c", 1.1), (82, "#b08d3c", 0.4)):
        pdf.setStrokeColor(colour)
        pdf.setLineWidth(line)
        pdf.rect(inset, inset, width - 2 * inset, height - 2 * inset, stroke=1, fill=0)
    pdf.setFillColor("#1d3f6e")
    pdf.setFont("serif-bold", 34)
    pdf.drawCentredString(width / 2, height - 130, "CERTIFICATE")
    pdf.setFillColor("#b08d3c")
    pdf.setFont("serif", 11.5)
    pdf.drawCentredString(width / 2, height - 160, "OF ACHIEVEMENT")
    pdf.setFillColor("#4a4f59")
    pdf.setFont("serif-italic", 13)
    pdf.drawCentredString(width / 2, height - 230, "This is to certify that")
    pdf.setFillColor("#1f2430")
    pdf.setFont(_name_face(name), 40)
    pdf.drawCentredString(width / 2, height - 285, name)
    pdf.setStrokeColor("#b08d3c")
    pdf.setLineWidth(0.8)
    pdf.line(width * 0.26, height - 300, width * 0.74, height - 300)
    pdf.setFillColor("#4a4f59")
    pdf.setFont("serif-italic", 13)
    pdf.drawCentredString(width / 2, height - 330, "has successfully completed")
    pdf.setFillColor("#1d3f6e")
    pdf.setFont("serif-bold", 21)
    pdf.drawCentredString(width / 2, height - 365, doc["credentialSubject"]["achievement"]["name"])
    pdf.setFillColor("#1f2430")
    for x, value, label in (
        (width * 0.27, doc["validFrom"][:10], "Date of issue"),
        (width * 0.73, doc["issuer"]["name"], "Issued by"),
    ):
        pdf.setFont("serif", 12)
        pdf.drawCentredString(x, 100, value)
        pdf.line(x - 88, 94, x + 88, 94)
        pdf.setFont("serif", 8)
        pdf.drawCentredString(x, 82, label)
    matrix = segno.make(url, error="m").matrix  # the QR code: segno's modules, one path of squares
    size, x0, y0 = 57, width - 92 - 57, 92
    module = size / len(matrix)
    squares = pdf.beginPath()
    for row, modules in enumerate(matrix):
        for col, dark in enumerate(modules):
            if dark:
                squares.rect(x0 + col * module, y0 + size - (row + 1) * module, module, module)
    pdf.setFillColor("#1f2430")
    pdf.drawPath(squares, stroke=0, fill=1)
    pdf.setFillColor("#7b7f87")
    pdf.setFont("sans", 7.5)
    pdf.drawCentredString(width / 2, 40, f"Credential ID {doc['id']}")
    pdf.save()
    with open(path[: -len(".pdf")] + ".json", "w") as out:
        json.dump(doc, out)


def _naive_chunk(first: int, count: int, out_dir: str, pdf_kind: str = "certificate") -> int:
    """The naive pipeline in one worker process: compose, plain pyld for the document and the proof
    configuration, Ed25519 signature, then a reportlab PDF written to disk, per credential: the certificate
    credstack draws (``certificate``), or a bare page with three lines in Helvetica (``bare``, this
    benchmark's naive pipeline before 2026-12-06: Helvetica has no glyphs for five of the CSV's seven
    scripts)."""
    import hashlib
    import json

    from pyld import jsonld
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    from credstack.vc import contexts, keys, ob3, status

    for face, filename in _NAIVE_FACES.items():  # once per process, as an application registers its fonts
        pdfmetrics.registerFont(TTFont(face, os.path.join(_FONT_DIR, filename)))
    key = keys.Ed25519Key.generate()
    vm = "did:web:bench.example#key-1"
    options = {
        "algorithm": "URDNA2015",
        "format": "application/n-quads",
        "documentLoader": contexts.document_loader,
    }
    for n in range(first, first + count):
        name = recipient_name(n)
        url = f"https://bench.example/c/{n}"
        doc = ob3.compose(
            issuer={
                "id": "did:web:bench.example",
                "name": "Benchmark Institute",
                "url": "https://bench.example",
            },
            achievement={
                "id": "https://bench.example/a/python-basics",
                "name": "Python Basics",
                "description": "Six lessons.",
                "criteria": {"narrative": "Pass."},
            },
            recipient_email=f"learner{n}@example.org",
            recipient_name=name,
            credential_id=url,
            valid_from=datetime.now(UTC).replace(microsecond=0),
            status_entries=[
                status.entry("https://bench.example/status/1/suspension", n, "suspension"),
            ],
            result=[{"type": ["Result"], "value": str(60 + n % 40)}],
        )
        proof = {
            "@context": doc["@context"],
            "type": "DataIntegrityProof",
            "cryptosuite": "eddsa-rdfc-2022",
            "created": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "verificationMethod": vm,
            "proofPurpose": "assertionMethod",
        }
        data = hashlib.sha256(jsonld.normalize(proof, options).encode()).digest()
        data += hashlib.sha256(jsonld.normalize(doc, options).encode()).digest()
        del proof["@context"]
        doc["proof"] = [{**proof, "proofValue": keys.multibase_encode(key.sign(data))}]
        path = os.path.join(out_dir, f"{n}.pdf")
        if pdf_kind == "certificate":
            _naive_certificate(path, doc, name, url)
            continue
        pdf = canvas.Canvas(path, pagesize=landscape(A4))
        pdf.setFont("Helvetica-Bold", 28)
        pdf.drawCentredString(421, 400, "Certificate of Achievement")
        pdf.setFont("Helvetica", 18)
        pdf.drawCentredString(421, 340, name)
        pdf.drawCentredString(421, 300, "Python Basics")
        pdf.setFont("Helvetica", 8)
        pdf.drawString(40, 40, json.dumps(doc["proof"][0]["proofValue"]))
        pdf.save()
    return count


def run_naive(rows: int, processes: int, pdf_kind: str = "certificate") -> tuple[float, float]:
    """Wall and CPU seconds of the naive pipeline for ``rows`` credentials in ``processes`` processes."""
    import multiprocessing
    import shutil

    out_dir = tempfile.mkdtemp(prefix="credstack-naive-")
    ctx = multiprocessing.get_context("spawn")
    share = -(-rows // processes)
    cpu0 = _cpu()
    t0 = time.perf_counter()
    with ctx.Pool(processes) as pool:
        done = sum(
            pool.starmap(
                _naive_chunk, [(i, min(share, rows - i), out_dir, pdf_kind) for i in range(0, rows, share)]
            )
        )
        pool.close()
        pool.join()
    wall = time.perf_counter() - t0
    cpu = _cpu() - cpu0
    assert done == rows == len([f for f in os.listdir(out_dir) if f.endswith(".pdf")])
    shutil.rmtree(out_dir)
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument(
        "--signing-processes", type=int, default=0, help="CREDSTACK_SIGNING_PROCESSES (default: its default)"
    )
    parser.add_argument("--naive-processes", type=int, default=2)
    parser.add_argument(
        "--naive-rows", type=int, default=0, help="rows for the naive pipeline (default: --rows)"
    )
    parser.add_argument(
        "--naive-pdf",
        choices=("certificate", "bare"),
        default="certificate",
        help="the naive pipeline's PDF: the certificate credstack draws (default), or the bare Helvetica page",
    )
    args = parser.parse_args()
    os.environ.setdefault("CREDSTACK_HOME", tempfile.mkdtemp(prefix="credstack-bench-"))
    os.environ.setdefault("CREDSTACK_LOG_LEVEL", "WARNING")
    os.environ["CREDSTACK_TASK_BACKEND"] = "django_tasks.backends.dummy.DummyBackend"
    os.environ["DJANGO_SETTINGS_MODULE"] = "credstack.config.settings"
    import django

    django.setup()
    import logging

    logging.getLogger("credstack").setLevel(logging.WARNING)
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from credstack.achievements.actions import create_achievement
    from credstack.credentials.files import certificate_pdf
    from credstack.credentials.models import Credential
    from credstack.organizations import signing
    from credstack.organizations.actions import create_organization
    from credstack.workspace import bulk
    from credstack.workspace.models import BulkJob

    if args.signing_processes:
        settings.CREDSTACK_SIGNING_PROCESSES = args.signing_processes
    args.signing_processes = settings.CREDSTACK_SIGNING_PROCESSES
    call_command("migrate", verbosity=0)
    org = create_organization(slug="bench", name="Benchmark Institute")
    achievement = create_achievement(
        organization=org,
        slug="a",
        name="Python Basics",
        description="Six lessons.",
        criteria_narrative="Pass.",
    )
    data = make_csv(args.rows)
    load0 = os.getloadavg()
    cpu0, own0 = _cpu(), _own_cpu()
    t0 = time.perf_counter()
    job = bulk.prepare_job(
        organization=org, achievement=achievement, filename="bench.csv", data=data, kind="text/csv"
    )
    t1 = time.perf_counter()
    BulkJob.objects.filter(pk=job.pk).update(state=BulkJob.State.QUEUED)
    job = bulk.run_job(job.pk)
    t2 = time.perf_counter()
    signing.shutdown_pools()  # their CPU time is counted once they have ended
    cpu_job, own_job = _cpu() - cpu0, _own_cpu() - own0
    load1 = os.getloadavg()
    assert job.issued == args.rows == Credential.objects.count(), (job.issued, job.failed)
    from credstack.delivery.models import Delivery
    from credstack.outbox.models import OutboxEntry

    pending = OutboxEntry.objects.exclude(state=OutboxEntry.State.DONE).count()
    # one outbox row per consumer per chunk (decision 0063): count the emails recorded themselves
    queued_emails = Delivery.objects.filter(kind=Delivery.Kind.ISSUED).count()
    indexes = set(Credential.objects.values_list("status_list_id", "status_index"))
    assert len(indexes) == args.rows
    # the same file again: nothing issued twice
    again = bulk.prepare_job(
        organization=org, achievement=achievement, filename="bench.csv", data=data, kind="text/csv"
    )
    t3 = time.perf_counter()
    assert again.valid == 0 and Credential.objects.count() == args.rows
    first_pdf = []
    for credential in Credential.objects.order_by("?")[:5]:
        p0 = time.perf_counter()
        certificate_pdf(credential)
        first_pdf.append((time.perf_counter() - p0) * 1000)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    naive = None
    if args.naive_processes:
        naive_rows = args.naive_rows or args.rows
        load2 = os.getloadavg()
        wall, cpu = run_naive(naive_rows, args.naive_processes, args.naive_pdf)
        naive = (naive_rows, wall, cpu, load2, os.getloadavg())

    print(
        f"database: {connection.vendor}; rows: {args.rows:,} ({len(data) / 1024:.0f} KB CSV); "
        f"signing processes: {args.signing_processes}; cores: {os.cpu_count()}"
    )
    print(
        f"load average (1, 5, 15 min) at start of credstack's run: {load0[0]:.1f} {load0[1]:.1f} {load0[2]:.1f}; "
        f"at its end: {load1[0]:.1f} {load1[1]:.1f} {load1[2]:.1f}"
    )
    print(f"dry run (parse + validate + store rows): {t1 - t0:.2f} s ({args.rows / (t1 - t0):,.0f} rows/s)")
    print(
        f"issuing: {t2 - t1:.2f} s = {job.issued / (t2 - t1):.0f} credentials/s ({(t2 - t1) / job.issued * 1000:.2f} ms each)"
    )
    print(f"whole job (wall): {t2 - t0:.2f} s = {job.issued / (t2 - t0):.0f} credentials/s")
    print(
        f"whole job (CPU, this process + signing workers): {cpu_job:.2f} s = {job.issued / cpu_job:.0f} credentials per CPU second"
    )
    print(
        f"of which the issuing process alone: {own_job:.2f} s = {own_job / job.issued * 1000:.2f} ms per credential "
        f"(what bounds the job's rate when the signing processes have the other core: {job.issued / own_job:.0f}/s)"
    )
    print(f"outbox rows still pending after the job: {pending}; issue emails queued: {queued_emails}")
    print(f"re-upload of the same file (dry run finds all {args.rows:,} already issued): {t3 - t2:.2f} s")
    print(
        f"first download of a PDF (rendered then stored), 5 credentials: {', '.join(f'{m:.0f}' for m in first_pdf)} ms"
    )
    print(f"peak RSS: {peak_mb:.0f} MB")
    if naive:
        rows, wall, cpu, la, lb = naive
        print(
            f"naive pipeline ({args.naive_processes} processes, plain pyld + reportlab {args.naive_pdf} PDF each): "
            f"{rows:,} in "
            f"{wall:.2f} s = {rows / wall:.0f} credentials/s wall; CPU {cpu:.2f} s = {rows / cpu:.0f} per CPU second; "
            f"load {la[0]:.1f} -> {lb[0]:.1f}"
        )
        print(
            f"credstack / naive: {(job.issued / (t2 - t0)) / (rows / wall):.1f}x by wall clock, "
            f"{(job.issued / cpu_job) / (rows / cpu):.1f}x by CPU time"
        )


if __name__ == "__main__":
    main()
