"""The verifier's JSON API (Django Ninja), at /verify/api/.

POST /verify/api/credential   JSON body {"credential": <a credential object, or JSON / JWT text>}
POST /verify/api/file         multipart form with "file" (JSON, JWT, PDF, PNG or SVG)

Both answer the report: {"status", "valid", "checks": [...], "credential": {...}, "source", ...};
unreadable input gives 422 with {"status": "unreadable", "error": "...", "error_reason": {...}}. Messages
are English; each check also has a stable "code" and the "params" of its message (decision 0056), as has
"error_reason", so a client can say them in its own words.
"""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest
from ninja import File, NinjaAPI, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile
from ninja.parser import Parser

from .extract import MAX_INPUT_BYTES
from .service import verify_upload


class UnreadableBody(ValueError):
    """The request body is not JSON we read; the message says why."""


class BodyParser(Parser):
    """Ninja's JSON parser with a reason: Python's json is recursive, so a body of a million "[" is a
    RecursionError, which Ninja would answer with a bare "Cannot parse request body"."""

    def parse_body(self, request: HttpRequest):
        try:
            return json.loads(request.body)
        except RecursionError:
            raise UnreadableBody("the JSON is nested too deeply") from None
        except (ValueError, UnicodeDecodeError) as exc:
            raise UnreadableBody(f"not valid JSON: {exc}") from None


api = NinjaAPI(
    parser=BodyParser(),
    title="credstack verifier",
    version="1",
    urls_namespace="verifier-api",
    description="Verify any Open Badges 3.0 / W3C Verifiable Credential: JSON, JWT, PDF, PNG or SVG.",
)


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError):
    cause = exc.__cause__
    if isinstance(cause, UnreadableBody):
        return api.create_response(
            request, {"status": "unreadable", "valid": False, "error": str(cause), "checks": []}, status=400
        )
    return api.create_response(request, {"detail": exc.message}, status=exc.status_code)


class CredentialIn(Schema):
    credential: Any


def _answer(result: dict):
    return Status(422 if result["status"] == "unreadable" else 200, result)


@api.post("/credential", response={200: dict, 422: dict}, summary="Verify a credential sent as JSON")
def verify_json(request, body: CredentialIn):
    value = body.credential
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return _answer(verify_upload(text.encode("utf-8")))


@api.post("/file", response={200: dict, 413: dict, 422: dict}, summary="Verify an uploaded file")
def verify_file(request, file: UploadedFile = File(...)):  # noqa: B008
    if (file.size or 0) > MAX_INPUT_BYTES:
        return Status(
            413,
            {
                "status": "unreadable",
                "error": f"the file is larger than {MAX_INPUT_BYTES // 1024 // 1024} MiB",
            },
        )
    return _answer(verify_upload(file.read(MAX_INPUT_BYTES + 1)))
