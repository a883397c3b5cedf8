"""What the multi-node test runs inside the deployment, as its own process with a node's environment
(``python -m tests.multinode.probe COMMAND [ARG]``). Prints one JSON line.

- ``setup``: migrate; an organization, an achievement and an owner who signs in with a password.
- ``sweep``: the outbox's sweep as if its lease had run out (what a killed worker was dispatching).
- ``check SAMPLE PDF_SAMPLE``: the invariants of a finished bulk job, each credential checked (it verifies,
  on every core; its PDF, of its very document, is in the storage); ``PDF_SAMPLE`` PDFs spread over the job
  read back (whole, the signed credential attached); ``SAMPLE`` credentials with the documents a verifier
  on the internet would fetch, for the independent verifier.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import sys
from concurrent.futures import ProcessPoolExecutor

import django

django.setup()

from allauth.account.models import EmailAddress  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.files.storage import default_storage  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connections  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.utils import timezone  # noqa: E402

from credstack.achievements.actions import create_achievement  # noqa: E402
from credstack.credentials import files  # noqa: E402
from credstack.credentials.models import Credential  # noqa: E402
from credstack.credentials.resolver import local_fetch  # noqa: E402
from credstack.delivery.models import Delivery  # noqa: E402
from credstack.organizations.actions import create_organization  # noqa: E402
from credstack.organizations.models import Membership  # noqa: E402
from credstack.outbox import actions as outbox  # noqa: E402
from credstack.vc import verify as vc_verify  # noqa: E402
from credstack.verifier.extract import extract  # noqa: E402
from credstack.workspace.models import BulkJob, BulkRow  # noqa: E402

ORG, ACHIEVEMENT = "multinode", "scale"
OWNER, PASSWORD = "owner@multinode.example", "multinode owner password 1"


def setup() -> dict:
    call_command("migrate", verbosity=0, interactive=False)
    org = create_organization(
        slug=ORG, name="Multinode Academy", url="https://mn.example", email="c@mn.example"
    )
    achievement = create_achievement(
        organization=org, slug=ACHIEVEMENT, name="Scaling Out", description="d", criteria_narrative="c"
    )
    user = get_user_model().objects.create_user(username="owner", email=OWNER, password=PASSWORD)
    EmailAddress.objects.create(user=user, email=OWNER, verified=True, primary=True)
    Membership.objects.create(organization=org, user=user, role="owner")
    return {"org": ORG, "achievement": achievement.public_id, "email": OWNER, "password": PASSWORD}


def _documents(credential: Credential, doc: dict) -> dict:
    documents = {credential.organization.did: local_fetch(credential.organization.did)}
    entries = doc["credentialStatus"]
    for entry in entries if isinstance(entries, list) else [entries]:
        documents[entry["statusListCredential"]] = local_fetch(entry["statusListCredential"])
    return documents


_fetched: dict[str, str] = {}


def _fetch(url: str) -> dict:
    """``local_fetch``, each document read once for the whole check (the DID document and the status
    lists do not change while it runs; each verification still checks every proof, the status list's
    included)."""
    if url not in _fetched:
        _fetched[url] = json.dumps(local_fetch(url))
    return json.loads(_fetched[url])


def _verify_chunk(documents: list[str]) -> list[str]:
    failed = []
    for document in documents:
        doc = json.loads(document)
        if not vc_verify.verify_credential(doc, fetch=_fetch).valid:
            failed.append(doc.get("id", "?"))
    return failed


def verify_all(documents: list[str]) -> list[str]:
    """Every credential through credstack's verifier, on every core: the ids of those that do not verify.
    The documents any of them needs are fetched first (the first credential's), then the work is shared
    by forked processes, which read no database unless a credential names a document the first did not."""
    if not documents:
        return []
    failed = _verify_chunk(documents[:1])
    connections.close_all()  # a forked process opens its own connection if it needs one
    processes = os.cpu_count() or 1
    size = -(-len(documents[1:]) // processes) or 1
    chunks = [documents[1 + i : 1 + i + size] for i in range(0, len(documents) - 1, size)]
    with ProcessPoolExecutor(processes, mp_context=multiprocessing.get_context("fork")) as pool:
        for found in pool.map(_verify_chunk, chunks):
            failed += found
    return failed


def check(sample: str = "0", pdf_sample: str = "0") -> dict:
    job = BulkJob.objects.get()
    rows = list(BulkRow.objects.filter(job=job).values("number", "email", "outcome", "credential_id"))
    credentials = {c.pk: c for c in Credential.objects.select_related("organization", "achievement")}
    # every row: exactly one credential, its own, for its recipient
    issued_for = [r["credential_id"] for r in rows if r["credential_id"]]
    wrong_recipient = [
        r["number"]
        for r in rows
        if r["credential_id"] and credentials[r["credential_id"]].recipient_email != r["email"]
    ]
    per_email = Credential.objects.values("recipient_email").annotate(n=Count("id")).filter(n__gt=1)
    shared_index = list(
        Credential.objects.values("status_list_id", "status_index").annotate(n=Count("id")).filter(n__gt=1)
    )
    # certificates/<public id>-<digest of its document>.pdf, listed once through the storage (Django's
    # storage API: local files, or S3 with CREDSTACK_STORAGE_URL): rendered by the workers (the pdfs queue)
    # before anyone asked. Every credential's own file is there (the digest is of its very document); a
    # sample spread over the whole job is read back (whole, with that credential attached).
    stored: dict[str, str] = {}
    for name in default_storage.listdir("certificates")[1]:
        stored[name[: -len(".pdf")].rsplit("-", 1)[0]] = name
    pdf_missing, read_back = [], 0
    count = min(int(pdf_sample), len(credentials))
    read = {i * len(credentials) // count for i in range(count)} if count else set()
    for n, credential in enumerate(credentials.values()):
        digest = hashlib.sha256(credential.document.encode("utf-8")).hexdigest()[:16]
        name = stored.get(credential.public_id)
        if name is None or name != f"{credential.public_id}-{digest}.pdf":
            pdf_missing.append(credential.public_id)
            continue
        if n not in read:
            continue
        read_back += 1
        with default_storage.open(f"certificates/{name}", "rb") as fh:
            data = fh.read()
        # a whole PDF whose attachment is this very credential (what a verifier reads from the file)
        if not files.is_whole_pdf(data) or extract(data).credential != json.loads(credential.document):
            pdf_missing.append(credential.public_id)
    not_verifying = verify_all([c.document for c in credentials.values()])
    samples = []
    for credential in list(credentials.values())[: int(sample)]:
        doc = json.loads(credential.document)
        samples.append({"credential": doc, "documents": _documents(credential, doc)})
    return {
        "job": {"state": job.state, "total": job.total, "issued": job.issued, "failed": job.failed},
        "rows": len(rows),
        "outcomes": sorted({r["outcome"] for r in rows}),
        "rows_without_credential": sum(1 for r in rows if not r["credential_id"]),
        "credentials": len(credentials),
        "credentials_of_two_rows": len(issued_for) - len(set(issued_for)),
        "wrong_recipient": wrong_recipient[:20],
        "emails_with_two_credentials": [p["recipient_email"] for p in per_email[:20]],
        "shared_status_index": shared_index[:20],
        "not_verifying": not_verifying[:20],
        "pdfs_in_storage": len(stored),
        "pdf_missing": pdf_missing[:20],
        "pdfs_read_back": read_back,
        "samples": samples,
    }


def sweep() -> dict:
    """The outbox sweep, as if its lease had run out (the periodic job does it a minute later at most): a
    side effect whose dispatching worker was killed (its row claimed for ``LEASE``) is dispatched again."""
    later = timezone.now() + outbox.LEASE + outbox.SWEEP_GRACE
    return {"dispatched": outbox.dispatch_due(now=later)}


def emails_left() -> dict:
    return {"left": Delivery.objects.filter(state__in=["queued", "retrying"]).count()}


if __name__ == "__main__":
    command, *rest = sys.argv[1:]
    commands = {"setup": setup, "check": check, "sweep": sweep, "emails_left": emails_left}
    print(json.dumps(commands[command](*rest), default=str))
