"""The verify page: anyone pastes or uploads a credential and sees the checks."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from .extract import MAX_INPUT_BYTES
from .service import verify_upload

STATUS_TITLES = {
    "valid": "Valid credential",
    "revoked": "Revoked",
    "suspended": "Suspended",
    "expired": "Expired",
    "not-yet-valid": "Not yet valid",
    "unverified": "Could not be fully checked",
    "invalid": "Not valid",
    "unreadable": "Not a credential we can read",
}


def read_upload(request: HttpRequest) -> tuple[bytes | None, str]:
    """(data, error) from the uploaded file or the pasted text."""
    upload = request.FILES.get("file")
    if upload is not None:
        size = upload.size or 0
        if size > MAX_INPUT_BYTES:
            return None, (
                f"“{upload.name}” is {size / 1024 / 1024:.1f} MiB; the limit is "
                f"{MAX_INPUT_BYTES // 1024 // 1024} MiB"
            )
        return upload.read(MAX_INPUT_BYTES + 1), ""
    text = request.POST.get("credential", "")
    if not text.strip():
        return None, "Paste a credential or choose a file."
    return text.encode("utf-8"), ""


@require_http_methods(["GET", "POST"])
def verify_page(request: HttpRequest) -> HttpResponse:
    result, error, pasted = None, "", ""
    if request.method == "POST":
        data, error = read_upload(request)
        pasted = request.POST.get("credential", "")[:200000]
        if data is not None:
            result = verify_upload(data)
            result["title"] = STATUS_TITLES.get(result["status"], result["status"])
    return render(
        request,
        "verifier/verify.html",
        {"result": result, "error": error, "pasted": pasted, "limit_mb": MAX_INPUT_BYTES // 1024 // 1024},
        status=400 if error else 200,
    )
