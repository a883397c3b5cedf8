from __future__ import annotations

import logging
from datetime import datetime

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_safe

from credstack.organizations import languages
from credstack.organizations.models import Organization
from credstack.organizations.queries import did_document
from credstack.vc import verify as vc_verify

from . import badges, certificate_images, engagement, files, page_sections, pagecache, share
from .models import Credential, CredentialEvent, StatusList
from .resolver import local_fetch
from .visibility import is_issuer_member, viewer_may_see

VC_TYPES = ("application/vc+ld+json", "application/vc", "application/ld+json", "application/json")
log = logging.getLogger(__name__)
BOTS = ("bot", "crawler", "spider", "preview", "facebookexternalhit", "slackbot", "linkedinbot", "whatsapp")


def _wants_json(request: HttpRequest) -> bool:
    if request.GET.get("format") == "json":
        return True
    accept = request.headers.get("Accept", "")
    best = None
    for part in accept.split(","):
        media = part.split(";")[0].strip().lower()
        if media in VC_TYPES or media == "text/html":
            best = best or media
    return best is not None and best != "text/html"


def _json(
    body: str, content_type: str = "application/vc+ld+json", filename: str | None = None
) -> HttpResponse:
    response = HttpResponse(body, content_type=f"{content_type}; charset=utf-8")
    response["Access-Control-Allow-Origin"] = "*"
    response["Vary"] = "Accept"
    if filename:
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _is_bot(request: HttpRequest) -> bool:
    agent = request.headers.get("User-Agent", "").lower()
    return any(b in agent for b in BOTS)


def _credential(public_id: str) -> Credential:
    return get_object_or_404(
        Credential.objects.select_related("organization", "achievement", "replaced_by"), public_id=public_id
    )


def _private_file(request: HttpRequest, credential: Credential) -> None:
    if not viewer_may_see(request, credential):
        raise Http404("this credential is private")


def next_change(credential: Credential) -> datetime | None:
    """When the credential's verdict next changes by itself (it starts or expires), if ever."""
    now = timezone.now()
    moments = [credential.valid_until]
    valid_from = credential.signed().get("validFrom")
    if isinstance(valid_from, str):
        try:
            moments.append(datetime.fromisoformat(valid_from.replace("Z", "+00:00")))
        except ValueError:
            pass
    future = [m for m in moments if m is not None and m.tzinfo is not None and m > now]
    return min(future, default=None)


UNREAD = "unread"


def cached_report(credential: Credential, cred_gen: str | None = UNREAD):
    """The verification report shown on the page, computed once per state of the credential (three
    signature checks: the credential and its two status lists) and kept in the shared cache under the
    credential's and its organization's generations (``pagecache``): a revocation, a new expiry or a key
    change starts a new generation, so the next view checks again; so does the moment it expires.
    ``cred_gen``: the credential's token as read before its row (None: it had none, nothing is stored)."""
    if cred_gen == UNREAD:  # not read before the credential's row: the caller accepts a change in between
        cred_gen = pagecache.generation("credential", credential.public_id)
    org_gen = pagecache.generation("org", credential.organization_id)
    key = f"pc:report:{credential.public_id}:{cred_gen}:{org_gen}:{settings.CREDSTACK_BASE_URL}"
    if cred_gen is not None and org_gen is not None and (hit := pagecache.get(key)) is not None:
        return hit
    report = vc_verify.verify_credential(credential.signed(), fetch=local_fetch)
    if cred_gen is not None and org_gen is not None:
        until = next_change(credential)
        timeout = pagecache.ttl()
        if until is not None:
            timeout = min(timeout, (until - timezone.now()).total_seconds())
        pagecache.put(key, report, timeout)
    return report


def page_state(credential: Credential, report) -> str:
    """What the page shows in big letters: replaced wins over the checks; then the report's status."""
    if credential.replaced_by_id:
        return "replaced"
    if report.status == "suspended" and credential.state == Credential.State.REVOKED:
        # one suspension entry (decision 0032): the list says "not valid", the issuer's record says why
        return "revoked"
    return report.status


def _sharing(request: HttpRequest, response: HttpResponse, credential: Credential) -> HttpResponse:
    """Cache-Control of a credential's page or document: ``public`` (a CDN may keep it, revalidating with
    its ETag) only for a public credential seen by a stranger; ``private`` otherwise."""
    shared = credential.is_public and pagecache.stranger(request)
    response["Cache-Control"] = f"{'public' if shared else 'private'}, no-cache"
    return response


def _variant(request: HttpRequest, wants_json: bool) -> str:
    """The cached answer a request gets: the JSON, or the page in the viewer's language (issue 17: the page
    speaks the viewer's choice, else the organization's language, else the browser's; for one viewer
    language the rest is fixed by the organization, whose changes start a new generation)."""
    return "json" if wants_json else f"html:{languages.viewer_language(request)}"


def cached_page(request: HttpRequest, public_id: str) -> HttpResponse | None:
    """The credential page (HTML or JSON, as asked) from the page cache, for a stranger; None when it is
    not there (or the request is not a stranger's). ``credstack.web.pagecache`` asks this before the
    session, authentication and messages middleware run, the view asks it again after them."""
    if not pagecache.stranger(request):
        return None
    wants_json = _wants_json(request)
    entry = pagecache.Slot("credential", public_id, _variant(request, wants_json)).get()
    if entry is None:
        return None
    if not wants_json and not _is_bot(request) and entry.object_id is not None:
        engagement.record(entry.object_id, CredentialEvent.Kind.VIEWED)
    return pagecache.serve(request, entry)


@require_safe
def credential_page(request: HttpRequest, public_id: str) -> HttpResponse:
    if (cached := cached_page(request, public_id)) is not None:
        return cached
    wants_json = _wants_json(request)
    stranger = pagecache.stranger(request)
    slot = pagecache.Slot("credential", public_id, _variant(request, wants_json))  # before the rows
    credential = _credential(public_id)
    visible = viewer_may_see(request, credential)
    if wants_json:
        if not visible:
            raise Http404("this credential is private")
        response = _sharing(request, _json(credential.document), credential)
        response["Vary"] = "Accept, Cookie"
    else:
        report = cached_report(credential, slot.gen)
        state = page_state(credential, report)
        if not _is_bot(request) and (stranger or not is_issuer_member(request, credential)):
            engagement.record(credential.pk, CredentialEvent.Kind.VIEWED)
        context = {
            "credential": credential,
            "org": credential.organization,
            "achievement": credential.achievement,
            "report": report,
            "state": state,
            "visible": visible,
            "actions": share.page_actions(credential, state, visible),
            "is_private": not credential.is_public,
            "base_url": settings.CREDSTACK_BASE_URL,
            "now": timezone.now(),
            "sections": page_sections.render_sections(credential) if visible else "",
        }
        with pagecache.placeholder_nonce(request):
            response = render(request, "credentials/credential.html", context)
        response["Vary"] = "Accept, Accept-Language, Cookie"
        if not credential.is_public:
            response["X-Robots-Tag"] = "noindex"
        _sharing(request, response, credential)
    if not stranger or request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):  # built for this viewer only
        return pagecache.serve(request, pagecache.entry_for(response))
    entry = slot.put(
        response, until=next_change(credential), object_id=credential.pk, org_id=credential.organization_id
    )
    return pagecache.serve(request, entry)


def _download(request: HttpRequest, credential: Credential, kind: str) -> None:
    if not _is_bot(request):
        engagement.record(credential.pk, CredentialEvent.Kind.DOWNLOADED, kind)


@require_safe
def credential_download(request: HttpRequest, public_id: str) -> HttpResponse:
    stranger = pagecache.stranger(request)
    slot = pagecache.Slot("credential", public_id, "download")
    if stranger and (entry := slot.get()) is not None:
        if not _is_bot(request) and entry.object_id is not None:
            engagement.record(entry.object_id, CredentialEvent.Kind.DOWNLOADED, "json")
        return pagecache.serve(request, entry)
    credential = _credential(public_id)
    _private_file(request, credential)
    _download(request, credential, "json")
    response = _json(credential.document, filename=f"credential-{public_id}.json")
    _sharing(request, response, credential)
    if not stranger:
        return pagecache.serve(request, pagecache.entry_for(response))
    # the document alone: an organization change does not alter it
    entry = slot.put(response, object_id=credential.pk, with_org=False)
    return pagecache.serve(request, entry)


def _file_response(data: bytes | str, content_type: str, filename: str, inline: bool) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    response["Access-Control-Allow-Origin"] = "*"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _file_validators(request: HttpRequest, credential: Credential, kind: str) -> tuple[str | None, list]:
    """The ETag of a credential's file (PDF, PNG, SVG): it changes with the credential's and its
    organization's generations, so a client's copy is revalidated without rendering or reading the file.
    Files are ``private``: a browser may keep them, a shared cache may not (the holder may make the
    credential private at any time)."""
    headers = [("Cache-Control", "private, no-cache"), ("Vary", "Cookie")]
    cred_gen = pagecache.generation("credential", credential.public_id)
    org_gen = pagecache.generation("org", credential.organization_id)
    if cred_gen is None or org_gen is None:
        return None, headers
    return pagecache.etag_of(
        credential.public_id, kind, cred_gen, org_gen, credential.design_version_id
    ), headers


def _file(request: HttpRequest, credential: Credential, kind: str, build) -> HttpResponse:
    etag, headers = _file_validators(request, credential, kind)
    if etag is not None and (not_modified := pagecache.conditional(request, etag, None, headers)):
        return not_modified
    response = build()
    for name, value in headers:
        response[name] = value
    if etag is not None:
        pagecache.validators(response, etag)
    return response


@require_safe
def credential_pdf(request: HttpRequest, public_id: str) -> HttpResponse:
    credential = _credential(public_id)
    _private_file(request, credential)
    _download(request, credential, "pdf")
    return _file(
        request,
        credential,
        "pdf",
        lambda: _file_response(
            files.certificate_pdf(credential), "application/pdf", f"certificate-{public_id}.pdf", inline=False
        ),
    )


@require_safe
def credential_png(request: HttpRequest, public_id: str) -> HttpResponse:
    credential = _credential(public_id)
    _private_file(request, credential)
    download = bool(request.GET.get("download"))
    if download:
        _download(request, credential, "png")
    return _file(
        request,
        credential,
        "png-download" if download else "png",
        lambda: _file_response(
            badges.baked_png(credential), "image/png", f"badge-{public_id}.png", inline=not download
        ),
    )


@require_safe
def certificate_image(request: HttpRequest, public_id: str, variant: str) -> HttpResponse:
    """The certificate as a PNG: ``page`` at the top of the credential's page, ``og`` the card image a
    shared link shows. Drawn once per state and kept (``certificate_images.certificate_image``)."""
    credential = _credential(public_id)
    _private_file(request, credential)
    return _file(
        request,
        credential,
        f"certificate-{variant}",
        lambda: _file_response(
            certificate_images.certificate_image(credential, variant),
            "image/png",
            f"certificate-{public_id}.png",
            inline=True,
        ),
    )


@require_safe
def credential_svg(request: HttpRequest, public_id: str) -> HttpResponse:
    credential = _credential(public_id)
    _private_file(request, credential)
    _download(request, credential, "svg")

    def build() -> HttpResponse:
        response = _file_response(
            badges.baked_svg(credential),
            "image/svg+xml; charset=utf-8",
            f"badge-{public_id}.svg",
            inline=False,
        )
        response["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
        return response

    return _file(request, credential, "svg", build)


@require_safe
def did_json(request: HttpRequest, slug: str) -> HttpResponse:
    """The organization's DID document, from the cache; a new or rotated key changes the organization's
    generation (``pagecache``), so verifiers see it at once."""
    slot = pagecache.Slot("did", slug, "json")
    if (entry := slot.get()) is not None:
        return pagecache.serve(request, entry)
    org = get_object_or_404(Organization, slug=slug)
    response = JsonResponse(did_document(org), content_type="application/did+json")
    response["Access-Control-Allow-Origin"] = "*"
    response["Cache-Control"] = "public, no-cache"
    return pagecache.serve(request, slot.put(response, org_id=org.pk))


@require_safe
def status_list(request: HttpRequest, public_id: str, purpose: str) -> HttpResponse:
    """A signed status list credential, from the cache until the list changes (``pagecache``). Verifiers
    may keep it a minute (``max-age=60``, as before) and revalidate it with its ETag or Last-Modified."""
    if purpose not in StatusList.PURPOSES:
        raise Http404
    slot = pagecache.Slot("status", public_id, purpose)
    if (entry := slot.get()) is not None:
        return pagecache.serve(request, entry)
    row = get_object_or_404(StatusList, public_id=public_id)
    response = _json(getattr(row, f"{purpose}_document"))
    response["Cache-Control"] = "public, max-age=60"
    return pagecache.serve(request, slot.put(response, last_modified=row.updated_at, with_org=False))
