"""The files of a credential, served at permanent links: ``{id}.pdf``, ``{id}.png``, ``{id}.svg``.

- PDF: the certificate rendered from the credential's design version (found by ``credstack.designs``,
  which plugs in with ``use_design_source``; a built-in design in the brand without it), with a QR code to the credential's page and the signed
  credential attached as ``credential.json``, so the file alone verifies offline.
- PNG / SVG: the achievement's badge, baked with the signed credential: ``credentials.badges``.
- A revoked or suspended credential's PDF and badges carry a diagonal band with its state ("REVOKED",
  "SUSPENDED"): a copy passed on after the change says so on sight. The signed credential inside is left
  as issued: a verifier still reads the live status from the status list. Every cache is keyed by the
  state, so a file made while the credential was active is never served after the change.

Rendering is deterministic in the credential. The certificates of just-issued credentials can be drawn
into the storage ahead of their first download (``render_certificates``, decisions 0047 and 0075).
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from django.conf import settings
from django.core.files.storage import default_storage
from django.utils import formats, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django_tasks import task

from credstack import taskqueues
from credstack.atomic_storage import save_atomic
from credstack.organizations import languages, pdfsign
from credstack.organizations.models import PdfSigning
from credstack.render import (
    builtin_design,
    render_pdf,
)
from credstack.ui.storage import storage_failure
from credstack.vc import ob3

from .models import Credential

logger = logging.getLogger(__name__)
DEFAULT_COLOR = "#1d3f6e"


def brand_color(org) -> str:
    """The organization's brand colour (#rrggbb), credstack's own where it has none or a malformed one."""
    color = getattr(org, "brand_color", "") or DEFAULT_COLOR
    return color if len(color) == 7 and color.startswith("#") else DEFAULT_COLOR


# How a credential's certificate design is found: the designs app (a layer above this one) plugs in
# ``designs.queries.design_for_credential`` from its AppConfig.ready(); without it, a built-in design
# in the brand.
DesignSource = Callable[[Credential], tuple[dict, dict]]
# the same for a list of credentials, in its order (a task rendering a batch asks once)
DesignsSource = Callable[[Sequence[Credential]], list[tuple[dict, dict]]]
_design_source: list[DesignSource] = []
_designs_source: list[DesignsSource] = []


def use_design_source(source: DesignSource, many: DesignsSource | None = None) -> None:
    """Find every credential's (design, assets) with ``source`` from now on; a list's with ``many`` when
    given (else ``source`` for each)."""
    _design_source[:] = [source]
    _designs_source[:] = [many] if many is not None else []


def _design_of(credential: Credential) -> tuple[dict, dict]:
    if _design_source:
        return _design_source[0](credential)
    return builtin_design("classic", color=brand_color(credential.organization)), {}


def designs_of(credentials: Sequence[Credential]) -> list[tuple[dict, dict]]:
    """(design, assets) for each credential of a list, in its order."""
    if _designs_source:
        return _designs_source[0](credentials)
    return [_design_of(c) for c in credentials]


def design_and_values(credential: Credential) -> tuple[dict, dict, dict]:
    """(design, assets, values) for the credential's certificate."""
    design, assets = _design_of(credential)
    return design, assets, certificate_values(credential)


def _signed_or_none(credential: Credential) -> dict | None:
    try:
        signed = credential.signed()
    except (TypeError, ValueError):
        return None
    return signed if isinstance(signed, dict) else None


def _achievement_name(credential: Credential, signed: dict | None) -> str:
    """The name as issued (the signed document), not the achievement's current name."""
    try:
        return signed["credentialSubject"]["achievement"]["name"]  # type: ignore[index]
    except (KeyError, TypeError, ValueError):
        return credential.achievement.name


def credential_language(credential: Credential, signed: dict | None = None) -> str:
    """The language the credential's text is in (its ``@context``, decision 0056), one credstack speaks;
    else the default. ``signed``: the credential's document already parsed, when the caller has it."""
    try:
        declared = ob3.language_of(signed if signed is not None else credential.signed())
    except (TypeError, ValueError):
        declared = None
    return languages.supported(declared) or settings.LANGUAGE_CODE


def certificate_values(credential: Credential) -> dict:
    """Merge values for a credential's certificate: the standard tags, then its merge fields."""
    signed = _signed_or_none(credential)  # parsed once for the name and the language
    # the dates in the credential's language (decision 0062): "6 December 2026", "6. Dezember 2026"
    with translation.override(credential_language(credential, signed)):
        issue_date = formats.date_format(credential.issued_at, "DATE_FORMAT")
        expiry_date = (
            formats.date_format(credential.valid_until, "DATE_FORMAT") if credential.valid_until else ""
        )
    values = {
        "recipient_name": credential.recipient_name,
        "achievement_name": _achievement_name(credential, signed),
        "issuer_name": credential.organization.name,
        "issue_date": issue_date,
        "expiry_date": expiry_date,
        "credential_id": credential.public_id,
        "credential_url": credential.uri,
    }
    for key, value in (credential.merge_fields or {}).items():
        values.setdefault(key, value)
    return values


# the states whose files are marked, and the word on the band
STAMPS: dict[str, str] = {Credential.State.REVOKED: "REVOKED", Credential.State.SUSPENDED: "SUSPENDED"}


def stamp_for(credential: Credential) -> str | None:
    """The word across the credential's files, or None when they are unmarked (active)."""
    return STAMPS.get(credential.state)


def stamp_label(credential: Credential) -> str:
    """The word on the band, in the credential's language ("WIDERRUFEN", "مُلغاة")."""
    with translation.override(credential_language(credential)):
        if credential.state == Credential.State.REVOKED:
            return pgettext("certificate band", "REVOKED")
        return pgettext("certificate band", "SUSPENDED")


def stamp_note(credential: Credential) -> str:
    """The line under the band on the certificate, in the credential's language."""
    org, url = credential.organization.name, credential.uri
    with translation.override(credential_language(credential)):
        if credential.state == Credential.State.REVOKED:
            if credential.replaced_by_id:
                return _("Replaced by a corrected credential · %(url)s") % {"url": url}
            if credential.revoked_at:
                when = formats.date_format(credential.revoked_at, "DATE_FORMAT")
                return _("Revoked by %(org)s on %(date)s · check it at %(url)s") % {
                    "org": org,
                    "date": when,
                    "url": url,
                }
            return _("Revoked by %(org)s · check it at %(url)s") % {"org": org, "url": url}
        return _("Suspended by %(org)s · check it at %(url)s") % {"org": org, "url": url}


# certificate_pdf's default: look the organization's PDF signing up (a task rendering a list passes it)
_LOOK_UP: Any = object()


def certificate_pdf(
    credential: Credential,
    *,
    signing: PdfSigning | None = _LOOK_UP,
    design: tuple[dict, dict] | None = None,
    fresh: bool = False,
    store: Callable[[str, bytes, bool], None] | None = None,
) -> bytes:
    """The certificate, rendered when downloaded (~4 ms, decision 0072): nothing is stored per credential (decision 0048:
    a kept PDF is ~23 KB, more than twice everything else a credential stores). Downloads again are
    answered by the browser's or a CDN's copy through the validators (ETag, 304).

    ``CREDSTACK_KEEP_CERTIFICATES=1`` (and signed PDFs, always) keeps each one rendered in storage
    (``certificates/``), once per
    state: its design version and values are fixed at issue; a revoked or suspended one carries a band
    saying so (the name holds the state, so the unmarked file is never served once the credential is
    revoked or suspended).

    The cached file is written atomically (``credstack.atomic_storage``) and checked when read (a whole
    PDF: ``%PDF-`` at the start, ``%%EOF`` at the end); a damaged one is rendered again and replaced,
    never served. A storage error is logged and costs only speed: the rendered PDF is still returned.

    ``signing`` (the organization's ``pdfsign.signing_for``) and ``design`` (its ``designs_of``) are
    for a caller that looked them up for a whole list; by default each is looked up here.

    ``fresh``: the credential was just issued, so nothing is stored for it yet: an unsigned certificate is
    written without looking first (on S3 one request instead of three). Should it be rendered twice, the
    second writes the same bytes over the first.

    ``store(name, pdf, absent)``: writes the rendered file instead of ``store_certificate`` here (a task
    rendering a list hands the writes to threads)."""

    # signed PDFs (decision 0052) are kept whatever the setting: a signature, and a timestamp from the
    # authority, cost more than the file's storage
    if signing is _LOOK_UP:
        signing = pdfsign.signing_for(credential.organization)
    if not settings.CREDSTACK_KEEP_CERTIFICATES and signing is None:
        return render_certificate(credential, design=design)
    digest = hashlib.sha256(credential.document.encode("utf-8")).hexdigest()[:16]
    stamp = stamp_for(credential)
    marked = f"-{stamp.lower()}" if stamp else ""
    # a signed PDF's name carries the signing in force: turning signing on or changing the certificate
    # or the time-stamping authority makes new files
    signed = f"-s{pdfsign.marker(signing)}" if signing else ""
    name = f"certificates/{credential.public_id}-{digest}{marked}{signed}.pdf"
    cached, absent = (None, True) if fresh and signing is None else _read_cached(name)
    if cached is not None:
        return cached
    pdf = render_certificate(credential, design=design)
    if signing is not None:
        # the reason a PDF reader shows beside the signature, in the credential's language
        with translation.override(credential_language(credential)):
            reason = _("Certificate issued by %(org)s") % {"org": credential.organization.name}
        try:
            pdf = pdfsign.sign_pdf(signing, pdf, reason=reason)
        except pdfsign.PdfSigningError:
            # the time-stamping authority failed: signed without a time this once, not kept, so the
            # next download asks again
            logger.exception("could not timestamp the certificate %s: signed without a timestamp", name)
            return pdfsign.sign_pdf(signing, pdf, reason=reason, timestamp=False)
    (store or store_certificate)(name, pdf, absent)
    return pdf


def store_certificate(name: str, pdf: bytes, absent: bool) -> None:
    """Keep a rendered certificate under ``name``; ``absent``: nothing was found there just now. A storage
    that refuses (a full disk, S3 down) costs only speed: logged, not raised."""
    try:
        save_atomic(default_storage, name, pdf, absent=absent)
    except Exception as exc:
        if not isinstance(exc, OSError) and storage_failure(exc) is None:
            raise
        logger.exception("could not store the certificate %s (served without caching it)", name)


def is_whole_pdf(data: bytes) -> bool:
    """A complete PDF file: the header, and the end-of-file marker in its last bytes."""
    return data.startswith(b"%PDF-") and b"%%EOF" in data[-32:]


def _read_cached(name: str) -> tuple[bytes | None, bool]:
    """(the stored certificate if whole, else None; whether nothing is stored under the name)."""
    try:
        with default_storage.open(name, "rb") as fh:
            data = fh.read()
    except FileNotFoundError:
        return None, True
    except Exception as exc:  # a disk or object storage that fails: rendered again, never a 500 here
        if not isinstance(exc, OSError) and storage_failure(exc) is None:
            raise
        logger.exception("could not read the cached certificate %s (rendering it again)", name)
        return None, False
    if is_whole_pdf(data):
        return data, False
    logger.error("the cached certificate %s is damaged (%d bytes): rendering it again", name, len(data))
    return None, False


def render_certificate(credential: Credential, *, design: tuple[dict, dict] | None = None) -> bytes:
    """The certificate PDF, drawn now. ``design``: the credential's (design, assets) when the caller has
    them (``designs_of`` for a list), else looked up."""
    design_dict, assets = design if design is not None else _design_of(credential)
    values = certificate_values(credential)
    stamp = stamp_for(credential)
    return render_pdf(
        design_dict,
        values,
        assets,
        attachments=[("credential.json", credential.document.encode("utf-8"), "application/vc+ld+json")],
        stamp=stamp_label(credential) if stamp else None,
        stamp_note=stamp_note(credential) if stamp else "",
        stamp_state=stamp,
    )


# ---------------------------------------------------------------- certificates ahead of their first download

PDFS_AHEAD_CHUNK = 50  # credentials a task renders: a batch of 200 issued makes four tasks for the pdfs pool


@task(queue_name=taskqueues.PDFS)
def render_certificates(credential_ids: list[int]) -> int:
    """Render the certificates of just-issued credentials into the storage (``certificate_pdf``), so the
    first download on any node reads a file. Queued on the ``pdfs`` queue when ``CREDSTACK_PDFS_AHEAD`` is
    on (decision 0047). Twice is once: a second run writes the same files again (a signed certificate,
    whose signature carries a time, is read and not signed again).

    Looked up once for the list: the designs (``designs_of``: one query, and the uploads read once a
    process) and each organization's PDF signing. Each file is written by one of ``UPLOAD_THREADS`` while
    the next is drawn: an object storage's PUT (~30 ms to a cloud's S3) waits in parallel with the
    drawing, not in turn. Every write has ended when the task ends; one that failed fails the task,
    which is then run again."""
    credentials = list(
        Credential.objects.select_related("organization", "achievement").filter(pk__in=credential_ids)
    )
    signings: dict[int, PdfSigning | None] = {}
    writes: list[Future] = []
    pool = _upload_pool()

    def store(name: str, pdf: bytes, absent: bool) -> None:
        writes.append(pool.submit(store_certificate, name, pdf, absent))

    try:
        for credential, design in zip(credentials, designs_of(credentials), strict=True):
            if credential.organization_id not in signings:
                signings[credential.organization_id] = pdfsign.signing_for(credential.organization)
            signing = signings[credential.organization_id]
            certificate_pdf(credential, signing=signing, design=design, fresh=True, store=store)
    finally:
        for write in writes:
            write.result()
    return len(credentials)


# writes at once per process: to an S3 endpoint 20 ms away, a certificate each 76 ms one after the other,
# 22 ms with 4 threads, 16 ms with 8 (benchmarks/certificate_pdf.py --storage-latency 20)
UPLOAD_THREADS = 8
_uploads: tuple[int, ThreadPoolExecutor] | None = None
_uploads_lock = threading.Lock()


def _upload_pool() -> ThreadPoolExecutor:
    """The threads that write certificates, one set per process, kept: each thread keeps its connection
    to the storage (a new S3 connection costs ~150 ms). A process forked from one that had them makes its
    own (threads do not survive a fork)."""
    global _uploads
    with _uploads_lock:
        if _uploads is None or _uploads[0] != os.getpid():
            _uploads = (os.getpid(), ThreadPoolExecutor(UPLOAD_THREADS, thread_name_prefix="credstack-pdf"))
        return _uploads[1]


def pdfs_ahead(payload: dict, key: str) -> None:
    """Outbox consumer of ``credential.issued`` (with ``CREDSTACK_PDFS_AHEAD``): its certificate queued."""
    pdfs_ahead_many([(payload, key)])


def pdfs_ahead_many(items: list[tuple[dict, str]]) -> None:
    """``pdfs_ahead`` for a batch: one task per ``PDFS_AHEAD_CHUNK`` credentials, queued at once, inside
    the outbox's dispatch: the outbox row is done only once its tasks are queued, so a process killed in
    between leaves the row to the sweep (queued twice at worst: a stored certificate is not rendered
    again). Queued after the commit instead, a kill between the commit and the queuing lost them."""
    ids = list(dict.fromkeys(payload["credential"] for payload, _ in items))
    for start in range(0, len(ids), PDFS_AHEAD_CHUNK):
        render_certificates.enqueue(ids[start : start + PDFS_AHEAD_CHUNK])
