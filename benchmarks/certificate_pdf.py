"""What a certificate PDF costs to produce, per credential, through credstack's own path.

    PYTHONPATH=src .venv/bin/python benchmarks/certificate_pdf.py [--n 100] [--rounds 3] [--profile]

One organization, one uploaded design (a built-in template with an uploaded logo and signature, the
shape of most real designs), credentials issued to names in several scripts (Latin, Cyrillic, Arabic,
Hebrew, Chinese, Devanagari, Greek, a long name that wraps), each credential its own name. Three
paths, each timed ``--rounds`` times over ``--n`` credentials, every pass on credentials (and names)
no earlier pass drew, as in a real batch:

- ``render_certificate``: the PDF alone (design lookup, merge values, layout, PDF writing);
- ``certificate_pdf``: a download with nothing kept (what a first download costs, decision 0048);
- ``render_certificates``: the ahead-of-download task (``CREDSTACK_PDFS_AHEAD``) on lists of 50 ids,
  rendering each into storage: what the multi-node test and a bulk job's ``pdfs`` queue pay.

With ``CREDSTACK_STORAGE_URL`` set (``scripts/with-s3.sh``: moto on loopback) the kept files go to S3;
``--storage-latency 20`` puts 20 ms between credstack and that endpoint (a proxy on loopback that holds
each answer back), as a cloud's object storage is ~10-40 ms away where moto is not.

Prints wall ms and CPU ms per certificate (median of the rounds) and the load average. ``--profile``
adds a cProfile of a ``render_certificate`` pass. Runs in a temporary CREDSTACK_HOME (SQLite), warm
(``render.warm_up(cjk=True)`` and one certificate in each script drawn before timing: every font
loaded and prepared, the design read): the steady state of a worker.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import socket
import statistics
import tempfile
import threading
import time
from urllib.parse import parse_qs, urlsplit

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
    """The i-th recipient: scripts in turn, then every first name with every second and family name
    (125 a script, 1,000 in all before a name comes back)."""
    script = list(SCRIPTS)[i % len(SCRIPTS)]
    given, family = SCRIPTS[script]
    k = i // len(SCRIPTS)
    g1, g2, f = given[k % 5], given[(k // 5) % 5], family[(k // 25) % len(family)]
    if script == "chinese":
        return f"{f}{g1[0]}{g2[-1]}"
    return f"{g1} {f}" if g1 == g2 else f"{g1} {g2[0]}. {f}" if script == "long" else f"{g1} {g2} {f}"


def delaying_proxy(host: str, port: int, delay: float) -> int:
    """A TCP proxy on a free loopback port to ``host:port`` that holds each chunk of the answers back
    ``delay`` seconds: a storage endpoint as far away as a cloud's. Returns its port."""
    listener = socket.create_server(("127.0.0.1", 0))

    def pipe(src: socket.socket, dst: socket.socket, wait: float) -> None:
        try:
            while data := src.recv(65536):
                time.sleep(wait)
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                s.close()

    def accept() -> None:
        while True:
            client, _ = listener.accept()
            upstream = socket.create_connection((host, port))
            threading.Thread(target=pipe, args=(client, upstream, 0), daemon=True).start()
            threading.Thread(target=pipe, args=(upstream, client, delay), daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()
    return listener.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--n", type=int, default=100, help="credentials a pass (names cycle through the scripts)"
    )
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--profile", action="store_true")
    parser.add_argument(
        "--storage-latency", type=float, default=0, help="ms added to each answer of the S3 endpoint"
    )
    args = parser.parse_args()
    if args.storage_latency and os.environ.get("CREDSTACK_STORAGE_URL"):
        url = os.environ["CREDSTACK_STORAGE_URL"]
        endpoint = urlsplit(parse_qs(urlsplit(url).query)["endpoint_url"][0])
        port = delaying_proxy(
            endpoint.hostname or "127.0.0.1", endpoint.port or 80, args.storage_latency / 1000
        )
        os.environ["CREDSTACK_STORAGE_URL"] = url.replace(endpoint.netloc, f"127.0.0.1:{port}")
    os.environ.setdefault("CREDSTACK_HOME", tempfile.mkdtemp(prefix="credstack-bench-"))
    os.environ.setdefault("CREDSTACK_LOG_LEVEL", "WARNING")
    os.environ["CREDSTACK_TASK_BACKEND"] = "django_tasks.backends.dummy.DummyBackend"
    os.environ["DJANGO_SETTINGS_MODULE"] = "credstack.config.settings"
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from credstack.achievements.actions import create_achievement
    from credstack.credentials import files
    from credstack.credentials.actions import IssueRequest, issue_credentials
    from credstack.credentials.models import Credential
    from credstack.designs.actions import create_design, upload_asset
    from credstack.organizations.actions import create_organization
    from credstack.render import builtin_design, warm_up
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
    # every timed pass renders credentials of its own, to names no earlier pass drew: a real batch's
    # names are new to the process (a cache keyed by a name must not flatter the figures)
    passes = 3 * args.rounds + (1 if args.profile else 0)
    total = len(SCRIPTS) + args.n * passes
    results = issue_credentials(
        [
            IssueRequest(
                achievement=achievement,
                recipient_name=name(i),
                recipient_email=f"l{i}@example.org",
                audit=False,
            )
            for i in range(total)
        ]
    )
    ids = [r.credential.pk for r in results if r.credential is not None]
    assert len(ids) == total, [r.error for r in results if r.error]
    by_id = Credential.objects.select_related("organization", "achievement").in_bulk(ids)
    credentials = [by_id[pk] for pk in ids]
    assert all(c.design_version_id for c in credentials)
    batches = iter(range(len(SCRIPTS), total, args.n))

    def render_all(batch: list) -> None:
        for c in batch:
            files.render_certificate(c)

    def download_all(batch: list) -> None:
        for c in batch:
            files.certificate_pdf(c)

    def ahead_all(batch: list) -> None:
        settings.CREDSTACK_KEEP_CERTIFICATES = True
        try:
            ids = [c.pk for c in batch]
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
    warm_up(cjk=True)  # every face loaded and prepared for subsetting (else the CJK face's 0.3 s lands
    # in whichever pass draws its ninth Chinese name)
    for c in credentials[: len(SCRIPTS)]:  # warm: one certificate in each script, the design read
        files.render_certificate(c)
    if total > 1000:
        print(f"note: {total} credentials, names repeat after 1,000")
    print(
        f"{args.n} credentials a pass, {args.rounds} passes a path, {len(SCRIPTS)} scripts, one design; "
        f"storage {'S3' if os.environ.get('CREDSTACK_STORAGE_URL') else 'local disk'}"
        f"{f' +{args.storage_latency:g} ms' if args.storage_latency else ''}; load average {os.getloadavg()}"
    )
    print(f"{'path':45} {'ms/cert':>8} {'CPU ms':>8} {'queries':>8}")
    for label, fn in cases:
        walls, cpus = [], []
        for _ in range(args.rounds):
            start = next(batches)
            batch = credentials[start : start + args.n]
            with CaptureQueriesContext(connection) as queries:
                w0, c0 = time.perf_counter(), time.process_time()
                fn(batch)
                w1, c1 = time.perf_counter(), time.process_time()
            walls.append((w1 - w0) * 1000 / args.n)
            cpus.append((c1 - c0) * 1000 / args.n)
        per = len(queries.captured_queries) / args.n
        print(f"{label:45} {statistics.median(walls):8.2f} {statistics.median(cpus):8.2f} {per:8.2f}")
    print(f"load average after: {os.getloadavg()}")
    if args.profile:
        prof = cProfile.Profile()
        start = next(batches)
        prof.enable()
        render_all(credentials[start : start + args.n])
        prof.disable()
        pstats.Stats(prof).sort_stats("cumulative").print_stats(40)
        pstats.Stats(prof).sort_stats("tottime").print_stats(25)


if __name__ == "__main__":
    main()
