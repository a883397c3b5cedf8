"""Email that arrives: the mail server is configured from ``CREDSTACK_EMAIL_URL`` and a credential email goes
through a real SMTP server (aiosmtpd, started by the test on 127.0.0.1) over STARTTLS or TLS, with a login,
the organization's name as the sender."""

from __future__ import annotations

import datetime
import ipaddress
import socket
import ssl
from email import message_from_bytes
from email.header import decode_header, make_header

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from credstack.config import mailurl
from credstack.delivery.models import Delivery

pytestmark = pytest.mark.django_db(transaction=True)
USER, PASSWORD = "mailer@certs.example", "p@ss:w/rd"  # characters a URL must percent-encode


# ---- the URL ------------------------------------------------------------------------------------------


def test_each_scheme_gives_the_django_settings():
    assert mailurl.parse("smtp+tls://u%40x:p%3Ass@mail.example.org") == {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "mail.example.org",
        "EMAIL_PORT": 587,
        "EMAIL_HOST_USER": "u@x",
        "EMAIL_HOST_PASSWORD": "p:ss",
        "EMAIL_USE_TLS": True,
        "EMAIL_USE_SSL": False,
        "EMAIL_TIMEOUT": 10.0,
    }
    ssl_settings = mailurl.parse("smtp+ssl://mail.example.org?timeout=3")
    assert (ssl_settings["EMAIL_PORT"], ssl_settings["EMAIL_USE_SSL"], ssl_settings["EMAIL_USE_TLS"]) == (
        465,
        True,
        False,
    )
    assert ssl_settings["EMAIL_TIMEOUT"] == 3.0
    plain = mailurl.parse("smtp://relay.internal:2525")
    assert (
        plain["EMAIL_PORT"],
        plain["EMAIL_USE_SSL"],
        plain["EMAIL_USE_TLS"],
        plain["EMAIL_HOST_USER"],
    ) == (
        2525,
        False,
        False,
        "",
    )
    assert mailurl.parse("console://") == {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    assert mailurl.parse("file:///var/mail/credstack") == {
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": "/var/mail/credstack",
    }


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("smtps+starttls://secret:hunter2@h", "unknown scheme 'smtps+starttls'"),
        ("smtp+tls://user:hunter2@", "needs a host name"),
        ("smtp+tls://user:hunter2@h:notaport", "not a URL (check the port)"),
        ("smtp+tls://user:hunter2@h?timeout=soon", "timeout is a number of seconds"),
        ("smtp+tls://user:hunter2@h?tls=1", "unknown option tls"),
        ("file://", "file:// needs a folder"),
    ],
)
def test_a_wrong_url_says_what_is_wrong_and_never_the_password(url, message):
    with pytest.raises(mailurl.EmailURLError) as refused:
        mailurl.parse(url)
    assert message in str(refused.value) and "hunter2" not in str(refused.value)


# ---- a real server --------------------------------------------------------------------------------------


class Inbox:
    def __init__(self):
        self.messages: list = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.logins: list[tuple[str, str]] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(message_from_bytes(envelope.original_content))
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 OK queued"

    def authenticate(self, server, session, envelope, mechanism, auth_data):
        login, password = auth_data.login.decode(), auth_data.password.decode()
        self.logins.append((login, password))
        # handled=False: aiosmtpd answers the refusal (535) itself
        return AuthResult(success=(login, password) == (USER, PASSWORD), handled=False)


@pytest.fixture
def certificate(tmp_path, monkeypatch):
    """A self-signed certificate for 127.0.0.1, trusted by this test's process only (SSL_CERT_FILE): the
    client checks the server's certificate as it would in production."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    monkeypatch.setenv("SSL_CERT_FILE", str(cert_file))
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_file, key_file)
    return context


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp_server(certificate):
    """start(scheme) -> (inbox, port): aiosmtpd on 127.0.0.1 speaking that scheme, a login required."""
    started = []

    def start(scheme: str):
        inbox = Inbox()
        options = {
            "hostname": "127.0.0.1",
            "port": _free_port(),
            "authenticator": inbox.authenticate,
            "auth_required": True,
        }
        if scheme == "smtp+tls":
            options.update(tls_context=certificate, require_starttls=True)
        elif scheme == "smtp+ssl":  # TLS from the first byte (aiosmtpd counts only STARTTLS as TLS for AUTH)
            options.update(ssl_context=certificate, auth_require_tls=False)
        else:
            options.update(auth_require_tls=False)
        controller = Controller(inbox, **options)
        controller.start()
        started.append(controller)
        return inbox, controller.port

    yield start
    for controller in started:
        controller.stop()


def _configure(settings, url: str) -> None:
    for name, value in mailurl.parse(url).items():
        setattr(settings, name, value)
    settings.DEFAULT_FROM_EMAIL = "credstack <no-reply@certs.example>"


def _url(scheme: str, port: int, password: str = PASSWORD) -> str:
    quote = {"@": "%40", ":": "%3A", "/": "%2F"}
    user, secret = ("".join(quote.get(c, c) for c in s) for s in (USER, password))
    return f"{scheme}://{user}:{secret}@127.0.0.1:{port}?timeout=10"


@pytest.mark.parametrize("scheme", ["smtp+tls", "smtp+ssl", "smtp"])
def test_a_credential_email_reaches_a_real_smtp_server_from_the_organization(
    smtp_server, settings, issue, scheme
):
    inbox, port = smtp_server(scheme)
    _configure(settings, _url(scheme, port))
    credential = issue(name="Grace Hopper", email="grace@example.org")
    assert Delivery.objects.get(credential=credential).state == Delivery.State.SENT
    assert inbox.logins == [(USER, PASSWORD)]
    [message] = inbox.messages
    assert inbox.envelopes == [("no-reply@certs.example", ["grace@example.org"])]
    assert str(make_header(decode_header(message["From"]))) == '"Acme Training" <no-reply@certs.example>'
    assert message["To"] == "grace@example.org"
    assert message["Subject"] == "Your credential: Python Basics"
    text = next(p for p in message.walk() if p.get_content_type() == "text/plain").get_payload(decode=True)
    assert credential.uri.encode() in text and b"Grace Hopper" in text


def test_a_non_ascii_organization_name_is_encoded_in_the_from_header(smtp_server, settings, org, issue):
    from credstack.organizations.actions import update_organization_settings
    from credstack.organizations.actors import Actor

    update_organization_settings(org, {"name": "École Tomás"}, None, Actor.command_line())
    inbox, port = smtp_server("smtp+tls")
    _configure(settings, _url("smtp+tls", port))
    issue(email="grace@example.org")
    [message] = inbox.messages
    assert message["From"].isascii()  # RFC 2047 on the wire
    assert str(make_header(decode_header(message["From"]))) == "École Tomás <no-reply@certs.example>"


def test_a_wrong_password_is_a_failed_delivery_the_workspace_shows(smtp_server, settings, issue):
    inbox, port = smtp_server("smtp+tls")
    _configure(settings, _url("smtp+tls", port, password="wrong"))
    credential = issue(email="grace@example.org")
    delivery = Delivery.objects.get(credential=credential)
    assert inbox.messages == [] and set(inbox.logins) == {(USER, "wrong")}
    assert delivery.state in (Delivery.State.FAILED, Delivery.State.RETRYING)
    assert "SMTPAuthenticationError" in delivery.error and PASSWORD not in delivery.error
