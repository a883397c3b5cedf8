"""Security headers every HTML page carries.

``ContentSecurityPolicyMiddleware`` gives each request a fresh nonce (``request.csp_nonce``, and
``csp_nonce`` in every template through :func:`csp_context`) and sends a Content-Security-Policy on every
HTML response that does not set its own (an SVG or a preview may set a stricter one). Scripts run only from
our own static files or from an inline ``<script nonce="{{ csp_nonce }}">``; nothing runs from an event
attribute (``onclick=``): behaviours are wired in ``credstack/page.js`` from ``data-`` attributes.
A response with a ``csp_frame_ancestors`` list (the LTI pages) gets ``frame-ancestors`` with those origins.

Style attributes (``style="width: 40%"``) stay allowed (``style-src-attr 'unsafe-inline'``): they cannot
run code or fetch anything outside ``img-src``/``font-src``, which are limited to this site.
"""

from __future__ import annotations

import ipaddress
import secrets

from django.conf import settings
from django.http import HttpRequest, HttpResponse


def policy(nonce: str) -> str:
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src 'self' 'nonce-{nonce}'",
            f"style-src 'self' 'nonce-{nonce}'",
            "style-src-attr 'unsafe-inline'",
            "img-src 'self' data: blob:",
            "font-src 'self'",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
        ]
    )


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.csp_nonce = secrets.token_urlsafe(18)  # type: ignore[attr-defined]
        response = self.get_response(request)
        content_type = response.get("Content-Type", "")
        if content_type.startswith("text/html") and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = policy(request.csp_nonce)  # type: ignore[attr-defined]
            # a page an LMS shows in its iframe names who may frame it (credstack.lti.views.framable)
            ancestors = getattr(response, "csp_frame_ancestors", None)
            if ancestors is not None:
                sources = " ".join(["'self'", *ancestors]) if ancestors else "'none'"
                response["Content-Security-Policy"] += f"; frame-ancestors {sources}"
        return response


def csp_context(request: HttpRequest) -> dict[str, str]:
    """``csp_nonce`` for templates: ``<script nonce="{{ csp_nonce }}">``."""
    return {"csp_nonce": getattr(request, "csp_nonce", "")}


def _networks(entries: list[str]) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    return [ipaddress.ip_network(entry, strict=False) for entry in entries]


def from_trusted_proxy(remote_addr: str, trusted: list[str]) -> bool:
    try:
        address = ipaddress.ip_address(remote_addr)
    except ValueError:
        return False
    return any(address in network for network in _networks(trusted))


class ForwardedProtoMiddleware:
    """``X-Forwarded-Proto`` counts only when the request comes from a trusted proxy
    (``CREDSTACK_TRUSTED_PROXIES``): a client that reaches the app directly cannot claim https."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.trusted = list(getattr(settings, "SECURE_FORWARDED_PROTO_FROM", []))
        _networks(self.trusted)  # a malformed entry fails at start-up, not on a request

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "HTTP_X_FORWARDED_PROTO" in request.META and not from_trusted_proxy(
            request.META.get("REMOTE_ADDR", ""), self.trusted
        ):
            del request.META["HTTP_X_FORWARDED_PROTO"]
        return self.get_response(request)
