"""Identity providers the single sign-on tests start on loopback.

- OpenID Connect: panva's ``oidc-provider`` (npm, pinned in interop/), started by interop/oidc-idp.mjs.
- SAML 2.0: a small IdP on ``http.server``: it reads the SP's AuthnRequest (HTTP-Redirect binding) and
  answers with a Response whose assertion libxmlsec1 signs (RSA-SHA256, exclusive C14N) through the
  python-xmlsec binding, posted back by an auto-submitting form. pysaml2 would pin cryptography below the
  version credstack uses and the npm ``saml-idp`` needs a GitHub-only dependency (decision 0055).
"""

from __future__ import annotations

import base64
import datetime as dt
import html
import json
import secrets
import subprocess
import threading
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import xmlsec
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from lxml import etree

INTEROP = Path(__file__).resolve().parents[2] / "interop"
SAMLP = "urn:oasis:names:tc:SAML:2.0:protocol"
SAML = "urn:oasis:names:tc:SAML:2.0:assertion"


class OidcIdp:
    """``with OidcIdp(client, users) as idp: idp.issuer``"""

    def __init__(self, client: dict, users: dict) -> None:
        self.config = {"client": client, "users": users}

    def __enter__(self) -> OidcIdp:
        self.proc = subprocess.Popen(
            ["node", str(INTEROP / "oidc-idp.mjs"), json.dumps(self.config)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            cwd=INTEROP,
        )
        line = self.proc.stdout.readline()
        self.issuer = json.loads(line)["issuer"]
        return self

    def __exit__(self, *exc) -> None:
        self.proc.stdin.close()
        self.proc.wait(timeout=10)


def key_and_cert(common_name: str = "test-idp") -> tuple[bytes, bytes]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return key_pem, cert.public_bytes(serialization.Encoding.PEM)


def cert_body(cert_pem: bytes) -> str:
    return "".join(line for line in cert_pem.decode().splitlines() if "-----" not in line)


def _instant(t: dt.datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def saml_response(
    *,
    issuer: str,
    destination: str,
    audience: str,
    in_response_to: str,
    email: str,
    attributes: dict[str, list[str]],
    key_pem: bytes,
    cert_pem: bytes,
    sign: bool = True,
) -> bytes:
    """A SAML Response with one assertion, the assertion signed (enveloped signature) unless ``sign`` is
    false."""
    now = dt.datetime.now(dt.UTC)
    rid, aid = "_" + secrets.token_hex(16), "_" + secrets.token_hex(16)
    attrs = "".join(
        f'<saml:Attribute Name="{html.escape(k)}">'
        + "".join(f"<saml:AttributeValue>{html.escape(v)}</saml:AttributeValue>" for v in values)
        + "</saml:Attribute>"
        for k, values in attributes.items()
    )
    later, before = _instant(now + dt.timedelta(minutes=5)), _instant(now - dt.timedelta(minutes=1))
    xml = (
        f'<samlp:Response xmlns:samlp="{SAMLP}" xmlns:saml="{SAML}" ID="{rid}" Version="2.0" '
        f'IssueInstant="{_instant(now)}" Destination="{destination}" InResponseTo="{in_response_to}">'
        f"<saml:Issuer>{issuer}</saml:Issuer>"
        '<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>'
        f'<saml:Assertion ID="{aid}" Version="2.0" IssueInstant="{_instant(now)}">'
        f"<saml:Issuer>{issuer}</saml:Issuer>"
        '<saml:Subject><saml:NameID Format="urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress">'
        f"{html.escape(email)}</saml:NameID>"
        '<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer">'
        f'<saml:SubjectConfirmationData NotOnOrAfter="{later}" Recipient="{destination}" '
        f'InResponseTo="{in_response_to}"/></saml:SubjectConfirmation></saml:Subject>'
        f'<saml:Conditions NotBefore="{before}" NotOnOrAfter="{later}"><saml:AudienceRestriction>'
        f"<saml:Audience>{audience}</saml:Audience></saml:AudienceRestriction></saml:Conditions>"
        f'<saml:AuthnStatement AuthnInstant="{_instant(now)}" SessionIndex="{aid}"><saml:AuthnContext>'
        "<saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport"
        "</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>"
        f"<saml:AttributeStatement>{attrs}</saml:AttributeStatement>"
        "</saml:Assertion></samlp:Response>"
    )
    root = etree.fromstring(xml.encode())
    if sign:
        assertion = root.find(f"{{{SAML}}}Assertion")
        signature = xmlsec.template.create(
            assertion, xmlsec.constants.TransformExclC14N, xmlsec.constants.TransformRsaSha256
        )
        assertion.insert(1, signature)  # after the assertion's Issuer, as the schema wants
        ref = xmlsec.template.add_reference(signature, xmlsec.constants.TransformSha256, uri="#" + aid)
        xmlsec.template.add_transform(ref, xmlsec.constants.TransformEnveloped)
        xmlsec.template.add_transform(ref, xmlsec.constants.TransformExclC14N)
        xmlsec.template.add_x509_data(xmlsec.template.ensure_key_info(signature))
        xmlsec.tree.add_ids(assertion, ["ID"])
        ctx = xmlsec.SignatureContext()
        ctx.key = xmlsec.Key.from_memory(key_pem, xmlsec.constants.KeyDataFormatPem)
        ctx.key.load_cert_from_memory(cert_pem, xmlsec.constants.KeyDataFormatPem)
        ctx.sign(signature)
    return etree.tostring(root)


def authn_request_id(saml_request: str) -> tuple[str, str]:
    """The ID and the ACS URL of a deflated, base64 AuthnRequest (HTTP-Redirect binding)."""
    xml = zlib.decompress(base64.b64decode(saml_request), -15)
    root = etree.fromstring(xml)
    return root.get("ID"), root.get("AssertionConsumerServiceURL")


class SamlIdp:
    """``with SamlIdp(users, audience=...) as idp: idp.metadata``; ``users``: {email: {attribute: [values]}}.
    Its sign-in page signs in the user named by ``?user=`` (the test picks who)."""

    def __init__(self, users: dict[str, dict[str, list[str]]], audience: str) -> None:
        self.users = users
        self.audience = audience
        self.key_pem, self.cert_pem = key_and_cert()
        self.next_user = next(iter(users))

    def __enter__(self) -> SamlIdp:
        idp = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(parts.query).items()}
                if parts.path == "/metadata":
                    body, ctype = idp.metadata.encode(), "application/samlmetadata+xml"
                elif parts.path == "/sso":
                    request_id, acs = authn_request_id(query["SAMLRequest"])
                    email = idp.next_user
                    response = saml_response(
                        issuer=idp.entity_id,
                        destination=acs,
                        audience=idp.audience,
                        in_response_to=request_id,
                        email=email,
                        attributes=idp.users[email],
                        key_pem=idp.key_pem,
                        cert_pem=idp.cert_pem,
                    )
                    body = (
                        "<!doctype html><title>Test IdP</title><h1>Test IdP</h1>"
                        f'<form method="post" action="{html.escape(acs)}">'
                        f'<input type="hidden" name="SAMLResponse" value="{base64.b64encode(response).decode()}">'
                        f'<input type="hidden" name="RelayState" value="{html.escape(query.get("RelayState", ""))}">'
                        f"<button>Sign in as {html.escape(email)}</button></form>"
                    ).encode()
                    ctype = "text/html"
                else:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.entity_id = f"{self.base}/metadata"
        self.metadata_url = self.entity_id
        self.metadata = (
            '<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" '
            f'xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="{self.entity_id}">'
            '<md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">'
            '<md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>'
            f"{cert_body(self.cert_pem)}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>"
            '<md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" '
            f'Location="{self.base}/sso"/></md:IDPSSODescriptor></md:EntityDescriptor>'
        )
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
