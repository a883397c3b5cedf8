"""The one outbound HTTP client: everything credstack fetches or posts goes through ``request``.

Verifying someone else's credential (their did:web document, their status list), delivering a webhook
and sending an xAPI statement all make this machine connect where a stranger says. So, for every
request and every redirect:

- only ``http`` and ``https``;
- the host name is resolved once, and every address it resolves to must be allowed: by default only
  public addresses (not loopback, private, link-local, multicast or reserved, nor an IPv6 address that
  carries one of those inside it: IPv4-mapped ``::ffff:a.b.c.d``, IPv4-compatible ``::a.b.c.d``, NAT64,
  6to4 and Teredo);
- the connection goes to that checked address, with the original name in the Host header, SNI and the
  certificate check, so a second DNS answer cannot point elsewhere (DNS rebinding);
- a redirect is followed only when the caller allows it, and its target is checked the same way;
- time and size are capped: ``timeout`` per connection and read, ``deadline`` for the whole request
  with its redirects, ``max_bytes`` of response body.

Pure Python (no Django): ``credstack verify`` uses it without a database. Tests pass a resolver that
lies (``resolver=``), never a real address outside the machine.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

TIMEOUT = 10.0
DEADLINE = 20.0
MAX_BYTES = 2 * 1024 * 1024
REDIRECTS = (301, 302, 303, 307, 308)

Resolver = Callable[[str, int], Sequence[str]]
AddressPolicy = Callable[[str], None]


class HTTPClientError(OSError):
    """The request could not be made or answered (network, time, size): worth trying again later."""


class BlockedTarget(ValueError):
    """The URL may not be called: its scheme, or an address that is not allowed. Final.

    ``str(exc)`` is English (logs, stored reasons); ``kind`` and ``params`` let a page say it in the
    user's language (``credstack.ui.blocked.reason``)."""

    def __init__(self, message: str, kind: str = "", **params: object):
        super().__init__(message)
        self.kind = kind
        self.params = params


@dataclass(frozen=True)
class Response:
    status: int
    body: bytes
    url: str  # the URL that answered (after redirects)
    headers: dict[str, str] = field(default_factory=dict)

    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")


def embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address carries (mapped, compatible, NAT64, 6to4, Teredo), if any."""
    if address.ipv4_mapped:
        return address.ipv4_mapped
    if address in _IPV4_COMPATIBLE and int(address) > 1:  # ::a.b.c.d (deprecated); not :: or ::1
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if address.sixtofour:
        return address.sixtofour
    if address.teredo:
        return address.teredo[1]
    return None


def public_only(ip: str) -> None:
    """The default address policy: raise BlockedTarget unless ``ip`` is a public unicast address."""
    address = ipaddress.ip_address(ip.split("%", 1)[0])
    inner = embedded_ipv4(address) if isinstance(address, ipaddress.IPv6Address) else None
    for candidate in (address, inner):
        if candidate is not None and (not candidate.is_global or candidate.is_multicast):
            raise BlockedTarget(
                f"{ip} is not a public address but a private or local address (loopback, private "
                "network, link-local or reserved, or one of those inside an IPv6 address)",
                "private",
                ip=ip,
            )


def any_address(ip: str) -> None:
    """The policy for development and the command line: every address may be called."""
    ipaddress.ip_address(ip.split("%", 1)[0])


def system_resolver(host: str, port: int) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        error = getattr(exc, "strerror", None) or exc
        raise BlockedTarget(f"cannot resolve {host}: {error}", "unresolved", host=host, error=error) from None
    return [str(info[4][0]) for info in infos]


def system_txt_resolver(name: str, timeout: float = 5.0) -> list[str]:
    """The TXT records of ``name`` (each record's strings joined), through the system's DNS servers
    (dnspython reads /etc/resolv.conf); an empty list when the name has none or does not exist. Raises
    BlockedTarget when no server answers in ``timeout`` seconds."""
    import dns.exception  # dnspython: only the domain checks of single sign-on look up TXT records
    import dns.resolver  # (the same)

    try:
        answer = dns.resolver.resolve(name, "TXT", lifetime=timeout, search=False)
    except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer, dns.resolver.NoNameservers):
        return []
    except dns.exception.DNSException as exc:
        raise BlockedTarget(
            f"cannot look up the TXT records of {name}: {exc}", "txt", name=name, error=exc
        ) from None
    return [b"".join(record.strings).decode("utf-8", "replace") for record in answer]


def resolve(
    host: str, port: int, policy: AddressPolicy = public_only, resolver: Resolver | None = None
) -> str:
    """The address to connect to: ``host`` resolved once, every answer checked by ``policy``."""
    try:  # a literal address is its own answer
        addresses = [str(ipaddress.ip_address(host.strip("[]")))]
    except ValueError:
        addresses = sorted(set((resolver or system_resolver)(host, port)))
    if not addresses:
        raise BlockedTarget(f"cannot resolve {host}: no address", "no-address", host=host)
    for ip in addresses:
        policy(ip)
    return addresses[0]


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS to a checked address, with the host name for SNI and the certificate check."""

    def __init__(self, ip: str, port: int, server_hostname: str, timeout: float):
        self._tls = ssl.create_default_context()
        super().__init__(ip, port, timeout=timeout, context=self._tls)
        self._server_hostname = server_hostname

    def connect(self) -> None:
        sock = socket.create_connection((self.host, self.port), self.timeout)
        self.sock = self._tls.wrap_socket(sock, server_hostname=self._server_hostname)


def request(
    method: str,
    url: str,
    *,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    policy: AddressPolicy = public_only,
    resolver: Resolver | None = None,
    max_redirects: int = 0,
    timeout: float = TIMEOUT,
    deadline: float = DEADLINE,
    max_bytes: int = MAX_BYTES,
    user_agent: str = "credstack",
    truncate: bool = False,
) -> Response:
    """Make one request (and, if allowed, follow up to ``max_redirects`` redirects, each checked).

    A 3xx that is not followed is returned as it is. Raises BlockedTarget for a URL that may not be
    called and HTTPClientError when the network, the time or the size limit fails the request (with
    ``truncate``, a longer answer is cut at ``max_bytes`` instead: a webhook receiver's reply)."""
    started = time.monotonic()
    for _hop in range(max_redirects + 1):
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise BlockedTarget(
                f"only http(s) URLs can be called, not {url[:200]!r}", "scheme", url=url[:200]
            )
        try:
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError:
            raise BlockedTarget(f"{url[:200]!r} has no valid port", "port", url=url[:200]) from None
        ip = resolve(parts.hostname, port, policy, resolver)
        left = deadline - (time.monotonic() - started)
        if left <= 0:
            raise HTTPClientError(f"{url}: no answer within {deadline:.0f} s")
        per_step = min(timeout, left)
        conn: http.client.HTTPConnection
        if parts.scheme == "https":
            conn = _PinnedHTTPSConnection(ip, port, parts.hostname, per_step)
        else:
            conn = http.client.HTTPConnection(ip, port, timeout=per_step)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        host_header = parts.hostname if parts.port is None else f"{parts.hostname}:{parts.port}"
        if ":" in parts.hostname and parts.port is None:
            host_header = f"[{parts.hostname}]"
        elif ":" in parts.hostname:
            host_header = f"[{parts.hostname}]:{parts.port}"
        try:
            conn.request(
                method,
                path,
                body=body,
                headers={**(headers or {}), "Host": host_header, "User-Agent": user_agent},
            )
            response = conn.getresponse()
            location = response.getheader("Location")
            if response.status in REDIRECTS and location and _hop < max_redirects:
                url = urljoin(url, location)
                if response.status == 303 or (response.status in (301, 302) and method == "POST"):
                    method, body = "GET", None
                continue
            data = response.read(max_bytes + 1)
            if len(data) > max_bytes and truncate:
                data = data[:max_bytes]
            elif len(data) > max_bytes:
                raise HTTPClientError(f"{url}: the answer is larger than {max_bytes} bytes")
            return Response(response.status, data, url, {k.lower(): v for k, v in response.getheaders()})
        except (HTTPClientError, BlockedTarget):
            raise
        except (OSError, http.client.HTTPException, ssl.SSLError) as exc:
            raise HTTPClientError(f"{url}: {exc}") from exc
        finally:
            conn.close()
    raise HTTPClientError(f"{url}: more than {max_redirects} redirects")
