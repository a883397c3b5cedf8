"""The verify page: anyone pastes or uploads a credential, or gives its link or id, and sees the checks."""

from __future__ import annotations

import re

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from credstack.credentials.models import Credential
from credstack.credentials.queries import own_public_id
from credstack.credentials.visibility import viewer_may_see
from credstack.fetch import FetchError, fetch_bytes

from . import messages
from .extract import MAX_INPUT_BYTES
from .service import verify_upload

STATUS_TITLES = {
    "valid": gettext_lazy("Valid credential"),
    "revoked": gettext_lazy("Revoked"),
    "suspended": gettext_lazy("Suspended"),
    "expired": gettext_lazy("Expired"),
    "not-yet-valid": gettext_lazy("Not yet valid"),
    "unverified": gettext_lazy("Could not be fully checked"),
    "invalid": gettext_lazy("Not valid"),
    "unreadable": gettext_lazy("Not a credential we can read"),
}


# what a person pastes instead of the credential itself: its web address, or its id as links show it
PASTED_LINK = re.compile(r"^https?://\S+$")
PASTED_ID = re.compile(r"^[A-Za-z0-9_-]{10,32}$")


def pasted_link(text: str) -> str | None:
    """The link to check when the pasted text is a credential's address or id (issue 14), else None."""
    text = text.strip()
    if PASTED_LINK.match(text):
        return text
    if PASTED_ID.match(text):
        return f"{settings.CREDSTACK_BASE_URL}/c/{text}"
    return None


def read_upload(request: HttpRequest) -> tuple[bytes | None, str]:
    """(data, error) from the uploaded file or the pasted text."""
    upload = request.FILES.get("file")
    if upload is not None:
        size = upload.size or 0
        if size > MAX_INPUT_BYTES:
            return None, _("“%(name)s” is %(size).1f MiB; the limit is %(limit)s MiB") % {
                "name": upload.name,
                "size": size / 1024 / 1024,
                "limit": MAX_INPUT_BYTES // 1024 // 1024,
            }
        return upload.read(MAX_INPUT_BYTES + 1), ""
    text = request.POST.get("credential", "")
    if not text.strip():
        return None, _("Paste a credential or choose a file.")
    return text.encode("utf-8"), ""


def read_link(request: HttpRequest, url: str) -> tuple[bytes | None, str]:
    """(data, error) for ``?url=``: one of this site's credentials (as its page shows it to this viewer),
    or a credential another site publishes, fetched through the one outbound client (public addresses
    only, bounded)."""
    url = url.strip()
    public_id = own_public_id(url)  # this deployment's, or an organization's own domain's (decision 0049)
    if public_id is not None:
        credential = Credential.objects.filter(public_id=public_id).first()
        if credential is None or not viewer_may_see(request, credential):
            return None, _("There is no credential at that link (or it is private).")
        return credential.document.encode("utf-8"), ""
    if not url.startswith(("https://", "http://")):
        return None, _("Give the credential's web address (https://…), or paste or upload it below.")
    try:
        return fetch_bytes(
            url, accept="application/vc+ld+json, application/ld+json;q=0.9", public_only=True
        ), ""
    except FetchError as exc:
        return None, _("The credential could not be fetched: %(error)s") % {"error": exc}


@require_http_methods(["GET", "POST"])
def verify_page(request: HttpRequest) -> HttpResponse:
    result, error, pasted, link = None, "", "", ""
    data = None
    if request.method == "POST":
        pasted = request.POST.get("credential", "")[:200000]
        given = None if request.FILES.get("file") else pasted_link(pasted[:2000])
        if given:
            link = given
            data, error = read_link(request, link)
        else:
            data, error = read_upload(request)
    elif request.GET.get("url"):  # "Verify" on a credential's page, or a link someone was sent
        link = request.GET["url"][:2000]
        data, error = read_link(request, link)
    if data is not None:
        result = verify_upload(data)
        result["title"] = STATUS_TITLES.get(result["status"], result["status"])
        # what the file is and why it cannot be read, in the page's language (the API keeps the English)
        if result.get("error_reason"):
            result["error"] = messages.reason_text(result["error_reason"])
        if result.get("explanation") and result.get("checks"):
            result["explanation"] = messages.check_text(result["checks"][0])
    return render(
        request,
        "verifier/verify.html",
        {
            "result": result,
            "error": error,
            "pasted": pasted,
            "link": link,
            "limit_mb": MAX_INPUT_BYTES // 1024 // 1024,
        },
        status=400 if error else 200,
    )
