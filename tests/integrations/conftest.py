"""Fixtures for inbound completion webhooks: sample payloads from each platform, endpoints, signed posts."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client

PAYLOADS = Path(__file__).resolve().parent / "payloads"


def sample(preset: str) -> tuple[bytes, str]:
    """(body, content type) of a platform's sample delivery; '#' lines cite where the shape comes from."""
    lines = [
        line
        for line in (PAYLOADS / f"{preset}.txt").read_text(encoding="utf-8").splitlines()
        if not line.startswith("#")
    ]
    text = "\n".join(lines).strip()
    if text.startswith("form: "):
        return text[len("form: ") :].encode(), "application/x-www-form-urlencoded"
    return text.encode("utf-8"), "application/json"


def signed_headers(endpoint, body: bytes) -> dict:
    from credstack.integrations import presets, signatures

    scheme = presets.preset(endpoint.preset).signature
    if not endpoint.signing_secret or scheme == "none":
        return {}
    return {signatures.SCHEMES[scheme][0]: signatures.expected(scheme, endpoint.signing_secret, body)}


@pytest.fixture
def make_endpoint(org, achievement):
    from credstack.integrations.actions import create_endpoint

    def _make(preset="generic", **kw):
        kw.setdefault("achievement", achievement)
        kw.setdefault("signing_secret", f"secret-for-{preset}")
        return create_endpoint(org, name=kw.pop("name", f"{preset} endpoint"), preset=preset, **kw)

    return _make


@pytest.fixture
def post_hook():
    client = Client()

    def _post(endpoint_or_token, body: bytes, content_type="application/json", headers=None, sign=True):
        token = endpoint_or_token if isinstance(endpoint_or_token, str) else endpoint_or_token.token
        all_headers = dict(headers or {})
        if sign and not isinstance(endpoint_or_token, str):
            all_headers = {**signed_headers(endpoint_or_token, body), **all_headers}
        return client.generic(
            "POST", f"/hooks/in/{token}", body, content_type=content_type, headers=all_headers
        )

    return _post
