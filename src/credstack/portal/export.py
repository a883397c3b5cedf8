"""Export a portfolio: a ZIP of every credential's files and one CLR 2.0 credential signed by the platform."""

from __future__ import annotations

import io
import json
import re
import uuid
import zipfile

from django.conf import settings
from django.utils import timezone

from credstack.credentials import badges, files
from credstack.organizations import signing
from credstack.organizations.actions import platform_key
from credstack.organizations.models import platform_did
from credstack.pathways.actions import clr_associations
from credstack.pathways.models import Pathway
from credstack.pathways.queries import progress_for_emails
from credstack.vc import clr

from .models import Account


def platform_profile() -> dict:
    host = settings.CREDSTACK_BASE_URL.split("://", 1)[-1]
    return {"id": platform_did(), "name": f"credstack at {host}", "url": settings.CREDSTACK_BASE_URL}


def portfolio_clr(account: Account, credentials, *, name: str = "", public: bool = False) -> dict:
    """The portfolio as one signed ClrCredential (issuer: the platform's did:web).

    ``public``: a file for anyone (the published portfolio's CLR): the learner is identified only by the
    addresses these credentials were sent to (hashed), and only the pathway associations between the
    achievements it holds are kept."""
    credentials = list(credentials)
    key = platform_key()
    names = {c.recipient_name for c in credentials}
    now = timezone.now().replace(microsecond=0)
    associations = _associations(account)
    if public:
        emails = list(dict.fromkeys(c.recipient_email for c in credentials))
        held = {c.achievement.uri for c in credentials}
        associations = [a for a in associations if a["sourceId"] in held or a["targetId"] in held]
    else:
        emails = list(account.emails.values_list("email", flat=True))
    unsigned = clr.compose(
        issuer=platform_profile(),
        credential_id=f"urn:uuid:{uuid.uuid4()}",
        name=name or "Portfolio of credentials",
        description="Every credential held in this portfolio, each with its own issuer's proof.",
        credentials=[c.signed() for c in credentials],
        valid_from=now,
        recipient_emails=emails,
        recipient_name=next(iter(names)) if len(names) == 1 else None,
        associations=associations,
    )
    return signing.sign(unsigned, key, created=now, as_list=True)  # proof as a list: CLR 2.0's JSON binding


def _associations(account: Account) -> list[dict]:
    """CLR associations (``isPartOf``, ``precedes``) of the pathways the learner is on."""
    emails = list(account.emails.values_list("normalized", flat=True))
    ids = [p.pathway_id for p in progress_for_emails(emails)]
    out: list[dict] = []
    for pathway in Pathway.objects.filter(public_id__in=ids).select_related("achievement"):
        for a in clr_associations(pathway):
            if a not in out:
                out.append(a)
    return out


def _slug(text: str) -> str:
    s = re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower()
    return s[:40] or "credential"


def portfolio_zip(account: Account, credentials) -> bytes:
    credentials = list(credentials)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for c in credentials:
            folder = f"{_slug(c.achievement.name)}-{c.public_id}"
            zf.writestr(f"{folder}/credential.json", c.document)
            zf.writestr(f"{folder}/certificate.pdf", files.certificate_pdf(c))
            zf.writestr(f"{folder}/badge.png", badges.baked_png(c))
            zf.writestr(f"{folder}/badge.svg", badges.baked_svg(c))
        zf.writestr(
            "portfolio-clr.json",
            json.dumps(portfolio_clr(account, credentials), ensure_ascii=False, indent=1),
        )
        zf.writestr(
            "README.txt",
            "Your credentials, exported from credstack.\n\n"
            "Each folder holds one credential: the signed Open Badges 3.0 credential (credential.json), the\n"
            "certificate (certificate.pdf, with the signed credential attached) and the badge (PNG and SVG,\n"
            "baked with the signed credential). portfolio-clr.json is a CLR 2.0 credential holding all of\n"
            "them, signed by this credstack instance. Each verifies with any Open Badges 3.0 verifier.\n",
        )
    return buf.getvalue()
