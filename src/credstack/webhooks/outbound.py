"""POST to a receiver without letting it reach this machine or the private network.

The host name is resolved once; every address it resolves to must be public (unless private targets
are allowed for development); the connection then goes to that checked address, with the original
host name for the Host header, SNI and certificate check, so a second DNS answer cannot point
elsewhere (DNS rebinding). Redirects are not followed.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit

TIMEOUT = 10
MAX_RESPONSE = 64 * 1024


class BlockedTarget(Exception):
    """The URL may not be called (scheme, or an address that is not public)."""


@dataclass(frozen=True)
class Result:
    status: int
    body: str


def check_address(ip: str, allow_private: bool) -> None:
    address = ipaddress.ip_address(ip)
    if allow_private:
        return
    if not address.is_global or address.is_multicast:
        raise BlockedTarget(f"{ip} is not a public address (loopback, private, link-local or reserved)")


def resolve(host: str, port: int, allow_private: bool) -> str:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise BlockedTarget(f"cannot resolve {host}: {exc.strerror}") from exc
    addresses = sorted({info[4][0] for info in infos})
    for ip in addresses:
        check_address(ip, allow_private)
    return addresses[0]


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, ip: str, port: int, server_hostname: str, **kw):
        super().__init__(ip, port, context=ssl.create_default_context(), **kw)
        self._server_hostname = server_hostname

    def connect(self) -> None:
        sock = socket.create_connection((self.host, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self._server_hostname)


def post(url: str, body: bytes, headers: dict[str, str], *, allow_private: bool = False) -> Result:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise BlockedTarget(f"only http(s) URLs can receive webhooks, not {url!r}")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    ip = resolve(parts.hostname, port, allow_private)
    if parts.scheme == "https":
        conn = _PinnedHTTPSConnection(ip, port, parts.hostname, timeout=TIMEOUT)
    else:
        conn = http.client.HTTPConnection(ip, port, timeout=TIMEOUT)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    host_header = parts.hostname if parts.port is None else f"{parts.hostname}:{parts.port}"
    try:
        conn.request(
            "POST",
            path,
            body=body,
            headers={**headers, "Host": host_header, "User-Agent": "credstack-webhooks/1"},
        )
        response = conn.getresponse()
        return Result(response.status, response.read(MAX_RESPONSE).decode("utf-8", "replace"))
    finally:
        conn.close()
