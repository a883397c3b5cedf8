"""What a certificate PDF costs to produce, per credential, through credstack's own path.

    PYTHONPATH=src .venv/bin/python benchmarks/certificate_pdf.py [--n 200] [--rounds 3] [--profile]

One organization, one uploaded design (a built-in template with an uploaded logo and signature, the
shape of most real designs), credentials issued to names in several scripts (Latin, Cyrillic, Arabic,
Hebrew, Chinese, Devanagari, a long name that wraps). Three paths, each timed over every credential:

- ``render_certificate``: the PDF alone (design lookup, merge values, layout, PDF writing);
- ``certificate_pdf``: a download with nothing kept (what a first download costs, decision 0048);
- ``render_certificates``: the ahead-of-download task (``CREDSTACK_PDFS_AHEAD``) on lists of 50 ids,
  rendering each into storage: what the multi-node test and a bulk job's ``pdfs`` queue pay.

Prints wall ms and CPU ms per certificate (median of the rounds) and the load average. ``--profile``
adds a cProfile of the ``render_certificate`` loop. Runs in a temporary CREDSTACK_HOME (SQLite), warm
(one render of each before timing).
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import statistics
import tempfile
import time

# (given names, family names) per script: every credential gets its own name, as in a real batch (a
# cache keyed by the name's glyphs would look better than it is with a handful of names repeated)
SCRIPTS = {
    "latin": (
        ["Amélie", "Jonas", "Zoë", "Björn", "Inês"],
        ["Dubois-Fontaine", "Müller", "O'Brien", "Ødegård", "García Lorca"],
    ),
    "cyrillic": (
        ["Анастасия", "Дмитрий", "Юлия", "Олег", "Ксения"],
        ["Кузнецова", "Жуков", "Фёдорова", "Щукин", "Эйдельман"],
    ),
    "arabic": (
        ["محمد", "فاطمة", "يوسف", "ليلى", "خالد"],
        ["الفارسي", "عبد الرحمن", "الحسيني", "بن سالم", "القحطاني"],
    ),
    "hebrew": (["אביגיל", "יונתן", "שירה", "דוד", "מיכל"], ["בן-דוד", "כהן", "לוי", "פרידמן", "אשכנזי"]),
    "chinese": (["小明", "静怡", "志强", "美玲", "建国"], ["王", "李", "张", "欧阳", "陈"]),
    "devanagari": (
        ["अर्जुन", "प्रिया", "सिद्धार्थ", "अनन्या", "विक्रम"],
        ["श्रीवास्तव", "शर्मा", "त्रिपाठी", "कृष्णन", "द्विवेदी"],
    ),
    "greek": (
        ["Αικατερίνη", "Νικόλαος", "Ελένη", "Γιώργος", "Σοφία"],
        ["Παπαδοπούλου", "Οικονόμου", "Γεωργίου", "Βλάχος", "Ζαχαρίου"],
    ),
    "long": (
        [
            "Maximiliana Alexandrovna",
            "Bartholomew Fitzgerald",
            "Anneliese Konstanze",
            "Rodrigo Sebastián",
            "Wilhelmina Theodora",
        ],
        [
            "Wolfeschlegelsteinhausen-Bergerdorff von Hohenzollern-Sigmaringen",
            "Featherstonehaugh-Cholmondeley of Marjoribanks",
        ],
    ),
}


def name(i: int) -> str:
    """The i-th recipient: scripts in turn, then every given name with every family name."""
    script = list(SCRIPTS)[i % len(SCRIPTS)]
    given, family = SCRIPTS[script]
    k = i // len(SCRIPTS)
    g, f = given[k % len(given)], family[(k // len(given)) % len(family)]
    return f"{f}{g}" if script == "chinese" else f"{g} {f}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=200, help="credentials (names cycle through the scripts)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    os.environ.setdefault("CREDSTACK_HOME", tempfile.mkdtemp(prefix="credstack-bench-"))
    os.environ.setdefault("CREDSTACK_LOG_LEVEL", "WARNING")
    os.environ["CREDSTACK_TASK_BACKEND"] = "django_tasks.backends.dummy.DummyBackend"
    os.environ["DJANGO_SETTINGS_MODULE"] = "credstack.config.settings"
    import django

    django.setup()
    from django.conf import settings
    from django.core.files.storage import default_storage
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from credstack.achievements.actions import create_achievement
    from credstack.credentials import files
    from credstack.credentials.actions import IssueRequest, issue_credentials
    from credstack.credentials.models import Credential
    from credstack.designs.actions import create_design, upload_asset
    from credstack.organizations.actions import create_organization
    from credstack.render import builtin_design
    from credstack.render.samples import sample_assets

    call_command("migrate", verbosity=0)
    org = create_organization(slug="bench", name="Benchmark Institute", url="https://bench.example")
    blobs = sample_assets()
    uploads = {
        name: upload_asset(org, kind="image", filename=f"{name}.png", content_type="image/png", data=data)
        for name, data in blobs.items()
    }
    data = builtin_design(
        "classic",
        logo="logo",
        signatory={"name": "Dr. Helen Okafor", "title": "Director of Studies", "asset": "signature"},
    )
    design = create_design(
        org, name="Main", data=data, assets={name: a.public_id for name, a in uploads.items()}
    )
    achievement = create_achievement(
        organization=org,
        slug="a",
        name="Foundations of Data Analysis",
        description="Six lessons.",
        criteria_narrative="Pass every quiz.",
        design=design,
    )
    results = issue_credentials(
        [
            IssueRequest(
                achievement=achievement,
                recipient_name=name(i),
                recipient_email=f"l{i}@example.org",
                audit=False,
            )
            for i in range(args.n)
        ]
    )
    ids = [r.credential.pk for r in results if r.credential is not None]
    assert len(ids) == args.n, [r.error for r in results if r.error]
    credentials = list(Credential.objects.select_related("organization", "achievement").filter(pk__in=ids))
    assert all(c.design_version_id for c in credentials)

    def render_all() -> None:
        for c in credentials:
            files.render_certificate(c)

    def download_all() -> None:
        for c in credentials:
            files.certificate_pdf(c)

    def ahead_all() -> None:
        settings.CREDSTACK_KEEP_CERTIFICATES = True
        try:
            if default_storage.exists("certificates"):
                for name in default_storage.listdir("certificates")[1]:
                    default_storage.delete(f"certificates/{name}")
            for start in range(0, len(ids), 50):
                files.render_certificates.call(ids[start : start + 50])
        finally:
            settings.CREDSTACK_KEEP_CERTIFICATES = False

    cases = [
        ("render_certificate", render_all),
        ("certificate_pdf (download, nothing kept)", download_all),
        ("render_certificates (ahead, into storage)", ahead_all),
    ]
    settings.CREDSTACK_KEEP_CERTIFICATES = False
    for c in credentials[: len(SCRIPTS)]:  # warm: fonts loaded and preprocessed, caches filled
        files.render_certificate(c)
    print(f"{args.n} credentials, {len(SCRIPTS)} scripts, one design; load average {os.getloadavg()}")
    print(f"{'path':45} {'ms/cert':>8} {'CPU ms':>8} {'queries':>8}")
    for label, fn in cases:
        walls, cpus = [], []
        for _ in range(args.rounds):
            with CaptureQueriesContext(connection) as queries:
                w0, c0 = time.perf_counter(), time.process_time()
                fn()
                w1, c1 = time.perf_counter(), time.process_time()
            walls.append((w1 - w0) * 1000 / args.n)
            cpus.append((c1 - c0) * 1000 / args.n)
        per = len(queries.captured_queries) / args.n
        print(f"{label:45} {statistics.median(walls):8.2f} {statistics.median(cpus):8.2f} {per:8.2f}")
    print(f"load average after: {os.getloadavg()}")
    if args.profile:
        prof = cProfile.Profile()
        prof.enable()
        render_all()
        prof.disable()
        pstats.Stats(prof).sort_stats("cumulative").print_stats(40)
        pstats.Stats(prof).sort_stats("tottime").print_stats(25)


if __name__ == "__main__":
    main()
