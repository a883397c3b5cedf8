"""What the multi-node test runs inside the deployment, as its own process with a node's environment
(``python -m tests.multinode.probe COMMAND [ARG]``). Prints one JSON line.

- ``setup``: migrate; an organization, an achievement and an owner who signs in with a password.
- ``check SAMPLE``: the invariants of a finished bulk job, each credential checked (it verifies; its PDF is
  in the storage, whole, the signed credential attached); ``SAMPLE`` credentials with the documents a
  verifier on the internet would fetch, for the independent verifier.
"""

from __future__ import annotations

import json
import sys

import django

django.setup()

from allauth.account.models import EmailAddress  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.files.storage import default_storage  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db.models import Count  # noqa: E402

from credstack.achievements.actions import create_achievement  # noqa: E402
from credstack.credentials import files  # noqa: E402
from credstack.credentials.models import Credential  # noqa: E402
from credstack.credentials.resolver import local_fetch  # noqa: E402
from credstack.delivery.models import Delivery  # noqa: E402
from credstack.organizations.actions import create_organization  # noqa: E402
from credstack.organizations.models import Membership  # noqa: E402
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


def check(sample: str = "0") -> dict:
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
    # certificates/<public id>-<digest>.pdf, listed once through the storage (Django's storage API: local
    # files, or S3 with CREDSTACK_STORAGE_URL): rendered by the workers (the pdfs queue) before anyone asked
    stored: dict[str, str] = {}
    for name in default_storage.listdir("certificates")[1]:
        stored[name[: -len(".pdf")].rsplit("-", 1)[0]] = name
    not_verifying, pdf_missing = [], []
    for credential in credentials.values():
        report = vc_verify.verify_credential(json.loads(credential.document), fetch=local_fetch)
        if not report.valid:
            not_verifying.append(credential.public_id)
        name = stored.get(credential.public_id)
        if name is None:
            pdf_missing.append(credential.public_id)
            continue
        with default_storage.open(f"certificates/{name}", "rb") as fh:
            data = fh.read()
        # a whole PDF whose attachment is this very credential (what a verifier reads from the file)
        if not files.is_whole_pdf(data) or extract(data).credential != json.loads(credential.document):
            pdf_missing.append(credential.public_id)
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
        "samples": samples,
    }


def emails_left() -> dict:
    return {"left": Delivery.objects.filter(state__in=["queued", "retrying"]).count()}


if __name__ == "__main__":
    command, *rest = sys.argv[1:]
    commands = {"setup": setup, "check": check, "emails_left": emails_left}
    print(json.dumps(commands[command](*rest), default=str))
