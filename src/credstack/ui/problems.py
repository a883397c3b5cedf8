"""Errors as RFC 9457 problem details (``application/problem+json``), for any JSON endpoint: the API's
handlers (``credstack.api.problems``) and the inbound integration webhooks answer with these."""

from __future__ import annotations

import json

from django.http import HttpResponse

PROBLEM_TYPE = "urn:credstack:problem:"


def problem_response(
    status: int, title: str, detail: str = "", *, slug: str = "", errors=None, headers=None
) -> HttpResponse:
    body = {"type": PROBLEM_TYPE + slug if slug else "about:blank", "title": title, "status": status}
    if detail:
        body["detail"] = detail
    if errors:
        body["errors"] = errors
    response = HttpResponse(
        json.dumps(body, ensure_ascii=False), status=status, content_type="application/problem+json"
    )
    for name, value in (headers or {}).items():
        response[name] = value
    return response
