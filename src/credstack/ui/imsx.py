"""Errors of the Open Badges 3.0 API (``/ims/ob/v3p0``): 1EdTech's ``Imsx_StatusInfo``, as its OpenAPI
document defines it (and nothing else in it: the schema allows no other property). Here because the
OB 3.0 API's views and the NUL-refusing middleware both answer with one."""

from __future__ import annotations

from django.http import JsonResponse

PREFIX = "/ims/ob/v3p0/"

# Imsx_CodeMinorField values (the OpenAPI document's enumeration) for each status a resource answers.
CODE_MINOR = {
    400: "invalid_data",
    401: "unauthorizedrequest",
    403: "forbidden",
    404: "not_found",
    405: "not_allowed",
    406: "not_acceptable",
    415: "invalid_data",
    500: "internal_server_error",
}


def imsx_error(status: int, description: str, minor: str = "", bearer_error: str = "") -> JsonResponse:
    """An error answer: ``minor`` defaults to the status's code-minor value; ``bearer_error`` adds an
    RFC 6750 ``WWW-Authenticate: Bearer`` challenge."""
    body = {
        "imsx_codeMajor": "failure",
        "imsx_severity": "error",
        "imsx_description": description,
        "imsx_codeMinor": {
            "imsx_codeMinorField": [
                {
                    "imsx_codeMinorFieldName": "TargetEndSystem",
                    "imsx_codeMinorFieldValue": minor or CODE_MINOR.get(status, "unknown"),
                }
            ]
        },
    }
    response = JsonResponse(body, status=status)
    if bearer_error:
        response["WWW-Authenticate"] = f'Bearer realm="credstack", error="{bearer_error}"'
    return response
