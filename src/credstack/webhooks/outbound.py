"""POST a webhook to a receiver through the one outbound HTTP client (``credstack.httpclient``).

The receiver's name is resolved once and every address must be public (unless private targets are
allowed for development); the connection goes to that checked address; redirects are not followed.
"""

from __future__ import annotations

from dataclasses import dataclass

from credstack import httpclient
from credstack.httpclient import BlockedTarget

__all__ = ["BlockedTarget", "Result", "check_address", "post", "resolve"]

TIMEOUT = 10
MAX_RESPONSE = 64 * 1024


@dataclass(frozen=True)
class Result:
    status: int
    body: str


def _policy(allow_private: bool) -> httpclient.AddressPolicy:
    return httpclient.any_address if allow_private else httpclient.public_only


def check_address(ip: str, allow_private: bool) -> None:
    _policy(allow_private)(ip)


def resolve(host: str, port: int, allow_private: bool) -> str:
    return httpclient.resolve(host, port, _policy(allow_private))


def post(url: str, body: bytes, headers: dict[str, str], *, allow_private: bool = False) -> Result:
    """Raises BlockedTarget for a URL that may not be called, HTTPClientError (an OSError is not
    raised any more) when the receiver cannot be reached in time."""
    response = httpclient.request(
        "POST",
        url,
        body=body,
        headers=headers,
        policy=_policy(allow_private),
        timeout=TIMEOUT,
        deadline=TIMEOUT * 2,
        max_bytes=MAX_RESPONSE,
        user_agent="credstack-webhooks/1",
        truncate=True,
    )
    return Result(response.status, response.text())
