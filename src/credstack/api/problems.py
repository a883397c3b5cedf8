"""Errors as RFC 9457 problem details (``application/problem+json``), naming the field at fault."""

from __future__ import annotations

from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from ninja.errors import AuthenticationError, HttpError, Throttled
from ninja.errors import ValidationError as NinjaValidationError

from credstack.ui.problems import problem_response

# The error responses every operation documents (as application/problem+json, see v1.CredstackAPI).
RESPONSES = {400: dict, 401: dict, 403: dict, 404: dict, 413: dict, 422: dict, 429: dict}
_CONTAINERS = {"body", "payload", "query", "path", "form", "header", "cookie"}


class Problem(Exception):
    def __init__(
        self, status: int, title: str, detail: str = "", *, slug: str = "", errors=None, headers=None
    ):
        super().__init__(detail or title)
        self.status, self.title, self.detail = status, title, detail
        self.slug, self.errors, self.headers = slug, errors or [], headers or {}


def _field(loc) -> str:
    parts = [str(p) for p in loc]
    while parts and parts[0] in _CONTAINERS:
        parts.pop(0)
    return ".".join(parts) or "(request)"


def install(api) -> None:
    """Register the handlers on a NinjaAPI."""

    @api.exception_handler(Problem)
    def _problem(request, exc: Problem):
        return problem_response(
            exc.status, exc.title, exc.detail, slug=exc.slug, errors=exc.errors, headers=exc.headers
        )

    @api.exception_handler(NinjaValidationError)
    def _validation(request, exc: NinjaValidationError):
        errors = [{"field": _field(e.get("loc", ())), "message": e.get("msg", "invalid")} for e in exc.errors]
        return problem_response(
            422,
            "The request is not valid",
            "; ".join(f"{e['field']}: {e['message']}" for e in errors),
            slug="validation-error",
            errors=errors,
        )

    @api.exception_handler(DjangoValidationError)
    def _django_validation(request, exc: DjangoValidationError):
        errors = [
            {"field": field, "message": message}
            for field, messages in getattr(exc, "message_dict", {"(request)": exc.messages}).items()
            for message in messages
        ]
        return problem_response(
            422,
            "The request is not valid",
            "; ".join(f"{e['field']}: {e['message']}" for e in errors),
            slug="validation-error",
            errors=errors,
        )

    @api.exception_handler(AuthenticationError)
    def _auth(request, exc):
        return problem_response(
            401,
            "Unauthorized",
            "send 'Authorization: Bearer <API key>' with a valid, unrevoked key",
            slug="unauthorized",
            headers={"WWW-Authenticate": "Bearer"},
        )

    @api.exception_handler(Throttled)
    def _throttled(request, exc: Throttled):
        wait = max(1, int(exc.wait or 1))
        return problem_response(
            429,
            "Too many requests",
            f"rate limit reached; retry in {wait} s",
            slug="rate-limited",
            headers={"Retry-After": str(wait)},
        )

    @api.exception_handler(RequestDataTooBig)
    def _too_big(request, exc):
        return problem_response(
            413, "Request too large", "the request body is larger than this API accepts", slug="too-large"
        )

    @api.exception_handler(Http404)
    def _not_found(request, exc):
        return problem_response(404, "Not found", str(exc) or "no such resource in this organization")

    @api.exception_handler(HttpError)
    def _http(request, exc: HttpError):
        return problem_response(exc.status_code, str(exc))
