"""The one outbound HTTP client: address checks with a resolver that lies, and loopback servers that
the tests start themselves (the client is pointed at 127.0.0.1 only)."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from credstack import httpclient


class Lying:
    """A resolver that answers what the test says and records every question."""

    def __init__(self, answers: dict[str, list[str]]):
        self.answers, self.asked = answers, []

    def __call__(self, host: str, port: int) -> list[str]:
        self.asked.append(host)
        return self.answers[host]


@pytest.fixture
def server():
    """A loopback HTTP server: /ok answers, /redirect?to=URL redirects, /big sends 3 MB, /echo-host
    answers the Host header it got."""
    seen: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            seen.append(self.path)
            if self.path.startswith("/redirect?to="):
                self.send_response(302)
                self.send_header("Location", self.path.split("=", 1)[1])
                self.end_headers()
                return
            body = {
                "/ok": b'{"ok": true}',
                "/big": b"x" * (3 * 1024 * 1024),
                "/echo-host": (self.headers.get("Host") or "").encode(),
            }.get(self.path, b"?")
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    yield httpd.server_address[1], seen
    httpd.shutdown()
    httpd.server_close()


@pytest.mark.parametrize(
    "ip",
    [
        "127.0.0.1",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",  # cloud metadata
        "100.64.0.1",  # carrier-grade NAT
        "0.0.0.0",  # noqa: S104 — an address checked, not bound
        "224.0.0.1",
        "::1",
        "::",
        "fe80::1",
        "fc00::1",
        "::127.0.0.1",  # IPv4-compatible: accepted by the webhook check before, and it leaves the machine
        "::ffff:127.0.0.1",  # IPv4-mapped
        "::ffff:10.0.0.1",
        "64:ff9b::a00:1",  # NAT64 of 10.0.0.1
        "2002:7f00:1::1",  # 6to4 of 127.0.0.1
        "2002:a00:1::1",  # 6to4 of 10.0.0.1
    ],
)
def test_addresses_that_are_not_public_are_refused(ip):
    with pytest.raises(httpclient.BlockedTarget, match="private or local"):
        httpclient.public_only(ip)
    resolver = Lying({"innocent.example": [ip]})
    with pytest.raises(httpclient.BlockedTarget):
        httpclient.request("GET", "http://innocent.example/x", resolver=resolver)
    assert resolver.asked == ["innocent.example"]


@pytest.mark.parametrize("ip", ["93.184.216.34", "2606:4700:4700::1111", "2002:5db8:d822::1"])
def test_public_addresses_pass_the_check(ip):
    httpclient.public_only(ip)  # no exception: the check alone, nothing is connected to


def test_every_answer_of_the_resolver_is_checked():
    resolver = Lying({"split.example": ["93.184.216.34", "10.0.0.7"]})
    with pytest.raises(httpclient.BlockedTarget, match=r"10\.0\.0\.7"):
        httpclient.request("GET", "https://split.example/", resolver=resolver)


def test_the_connection_goes_to_the_address_checked_with_the_name_in_the_host_header(server):
    port, _seen = server
    resolver = Lying({"issuer.example": ["127.0.0.1"]})
    response = httpclient.request(
        "GET", f"http://issuer.example:{port}/echo-host", resolver=resolver, policy=httpclient.any_address
    )
    assert response.status == 200 and response.body == f"issuer.example:{port}".encode()
    assert resolver.asked == ["issuer.example"]  # resolved once, never again by the socket layer


def test_a_redirect_is_checked_like_the_first_url_and_never_followed_blindly(server):
    port, _seen = server

    def loopback_test_server_only(ip: str) -> None:
        if ip != "127.0.0.1":
            raise httpclient.BlockedTarget(f"{ip} is a private or local address")

    resolver = Lying({"issuer.example": ["127.0.0.1"], "metadata.example": ["169.254.169.254"]})
    url = f"http://issuer.example:{port}/redirect?to=http://metadata.example/latest/meta-data"
    with pytest.raises(httpclient.BlockedTarget, match=r"169\.254\.169\.254"):
        httpclient.request("GET", url, resolver=resolver, policy=loopback_test_server_only, max_redirects=3)
    assert resolver.asked == ["issuer.example", "metadata.example"]
    not_followed = httpclient.request("GET", url, resolver=resolver, policy=loopback_test_server_only)
    assert not_followed.status == 302  # no redirects allowed: the answer as it came
    followed = httpclient.request(
        "GET",
        f"http://issuer.example:{port}/redirect?to=/ok",
        resolver=resolver,
        policy=loopback_test_server_only,
        max_redirects=1,
    )
    assert followed.status == 200 and followed.body == b'{"ok": true}'
    assert followed.url == f"http://issuer.example:{port}/ok"


def test_answers_are_capped_in_size(server):
    port, _ = server
    url = f"http://127.0.0.1:{port}/big"
    with pytest.raises(httpclient.HTTPClientError, match="larger than"):
        httpclient.request("GET", url, policy=httpclient.any_address)
    cut = httpclient.request("GET", url, policy=httpclient.any_address, max_bytes=1000, truncate=True)
    assert len(cut.body) == 1000


def test_only_http_and_https_are_called():
    for url in ("file:///etc/passwd", "gopher://x.example/", "ftp://x.example/", "http:///nohost"):
        with pytest.raises(httpclient.BlockedTarget, match="only http"):
            httpclient.request("GET", url)


@pytest.mark.django_db
def test_the_web_verifier_does_not_fetch_a_did_that_resolves_inside(settings):
    from credstack.fetch import FetchError
    from credstack.verifier.service import Fetcher

    fetch = Fetcher(resolver=Lying({"evil.example": ["::127.0.0.1"]}))
    with pytest.raises(FetchError, match="private or local"):
        fetch("did:web:evil.example")


@pytest.mark.django_db
def test_a_webhook_endpoint_at_an_ipv4_compatible_address_is_refused(org):
    from django.core.exceptions import ValidationError

    from credstack.webhooks import actions

    with pytest.raises(ValidationError):
        actions.create_endpoint(org, url="http://[::127.0.0.1]:8899/")


def test_nothing_but_the_client_opens_a_connection():
    """Every module that fetches or posts goes through credstack.httpclient: no other module of
    credstack imports urllib.request, http.client, socket or requests."""
    import ast
    from pathlib import Path

    import credstack

    root = Path(credstack.__file__).parent
    offenders = []
    for path in sorted(root.rglob("*.py")):
        if path.name == "httpclient.py" and path.parent == root:
            continue
        if path.relative_to(root).as_posix() == "sso/http.py":
            # allauth's OpenID provider asks for a requests.Session: this module mounts a transport adapter
            # on it that sends every request through credstack.httpclient (decision 0055), checked below
            source = path.read_text()
            assert "httpclient.request(" in source and 's.mount("https://", adapter)' in source
            continue
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif (
                isinstance(node, ast.ImportFrom) and node.module and not node.level
            ):  # not credstack's own (.requests)
                names = [node.module]
            for name in names:
                if name in ("urllib.request", "http.client", "socket", "requests") or name.startswith(
                    ("urllib.request.", "http.client.", "requests.")
                ):
                    offenders.append(f"{path.relative_to(root)}:{node.lineno} imports {name}")
    assert offenders == []
