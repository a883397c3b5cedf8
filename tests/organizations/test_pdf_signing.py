"""Signed certificate PDFs (PAdES, issue 17, decision 0052): the organization's certificate, created by
credstack or uploaded as PKCS#12, signs every certificate PDF once turned on in the workspace; pyHanko's
validator finds the signature intact and valid against the trust root, poppler's ``pdfsig`` reports it
signed and valid, the credential inside the PDF still verifies, and a time-stamping authority started by
the test on loopback puts a trusted time in the signature."""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import subprocess
import threading
import warnings
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from asn1crypto import keys as asn1_keys
from asn1crypto import tsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from django.core.files.uploadedfile import SimpleUploadedFile

from credstack.credentials.resolver import local_fetch
from credstack.organizations.models import AuditEntry, PdfSigning
from credstack.render import extract_attachments
from credstack.vc.verify import verify_credential
from tests.unchanged import changes_nothing

with warnings.catch_warnings():  # pyHanko's import warns that cryptography deprecates DSA
    warnings.simplefilter("ignore")
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

NOW = dt.datetime.now(dt.UTC)


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def _cert(subject, key, issuer=None, issuer_key=None, *, ca=False, eku=None):
    b = (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(_name(issuer or subject))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(NOW - dt.timedelta(days=1))
        .not_valid_after(NOW + dt.timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    )
    if issuer_key is not None:
        b = b.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()), critical=False
        )
    if eku:
        b = b.add_extension(x509.ExtendedKeyUsage(eku), critical=True)
    if not ca:  # a document-signing certificate as CAs issue them
        b = b.add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
    return b.sign(issuer_key or key, hashes.SHA256())


def _asn1(cert: x509.Certificate) -> asn1_x509.Certificate:
    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


def _pem_to_asn1(pem: str) -> asn1_x509.Certificate:
    return _asn1(x509.load_pem_x509_certificate(pem.encode()))


def _pdf(client, credential) -> bytes:
    response = client.get(f"/c/{credential.public_id}.pdf")
    assert response.status_code == 200
    return b"".join(response.streaming_content) if response.streaming else response.content


def _validate(pdf: bytes, roots):
    (sig,) = PdfFileReader(io.BytesIO(pdf)).embedded_signatures
    return validate_pdf_signature(sig, ValidationContext(trust_roots=roots))


def _pdfsig(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "certificate.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdfsig", str(path)], capture_output=True, text=True, check=False).stdout


def _credential_verifies(pdf: bytes) -> None:
    report = verify_credential(extract_attachments(pdf)["credential.json"], fetch=local_fetch)
    assert report.valid, report.to_dict()


def test_a_certificate_credstack_creates_signs_every_pdf_once_turned_on(
    client, signed_in, org, issue, tmp_path
):
    credential = issue(name="Ada Lovelace")
    admin = signed_in("admin")
    unsigned = _pdf(admin, credential)
    assert PdfFileReader(io.BytesIO(unsigned)).embedded_signatures == []
    page = admin.get(f"/w/{org.slug}/settings/signed-pdfs")
    assert page.status_code == 200 and "No certificate yet" in page.content.decode()

    admin.post(f"/w/{org.slug}/settings/signed-pdfs", {"action": "create"})
    r = admin.post(
        f"/w/{org.slug}/settings/signed-pdfs", {"action": "settings", "enabled": "on", "tsa_url": ""}
    )
    assert r.status_code == 302
    signing = PdfSigning.objects.get(organization=org)
    assert signing.enabled and signing.source == "created" and org.name in signing.subject
    assert b"PRIVATE KEY" not in bytes(signing.sealed_private_key)  # sealed at rest

    pdf = _pdf(admin, credential)
    assert pdf.startswith(unsigned)  # an incremental update: the renderer's bytes are kept as they were
    status = _validate(pdf, [_pem_to_asn1(signing.certificate_pem)])
    assert status.intact and status.valid and status.trusted, status.pretty_print_details()
    assert status.signing_cert.subject.native["common_name"] == org.name
    report = _pdfsig(pdf, tmp_path)
    assert "Signature Validation: Signature is Valid." in report, report
    assert "ETSI.CAdES.detached" in report and f"Common Name: {org.name}" in report
    assert "Total document signed" in report
    _credential_verifies(pdf)
    # the signature stands for the file: one byte changed in the signed part and it is no longer intact
    broken = bytearray(pdf)
    at = pdf.index(b"/Title") + 8
    broken[at] = ord("X") if broken[at] != ord("X") else ord("Y")
    assert not _validate(bytes(broken), [_pem_to_asn1(signing.certificate_pem)]).intact
    # the public certificate can be downloaded to be trusted
    pem = admin.get(f"/w/{org.slug}/settings/signed-pdfs?download=certificate")
    assert pem.content.decode() == signing.certificate_pem
    # turned off: PDFs are unsigned again
    admin.post(f"/w/{org.slug}/settings/signed-pdfs", {"action": "settings"})
    assert "does not contain any signatures" in _pdfsig(_pdf(admin, credential), tmp_path)
    kinds = set(AuditEntry.objects.filter(organization=org).values_list("action", flat=True))
    assert {"pdf_signing.certificate_created", "pdf_signing.updated"} <= kinds


def _p12(password: bytes):
    root_key = ec.generate_private_key(ec.SECP256R1())
    root = _cert("Test Root CA", root_key, ca=True)
    leaf_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    leaf = _cert("Acme Training Certificates", leaf_key, "Test Root CA", root_key)
    data = pkcs12.serialize_key_and_certificates(
        b"acme", leaf_key, leaf, [root], serialization.BestAvailableEncryption(password)
    )
    return data, root


def test_an_uploaded_pkcs12_signs_and_validates_against_its_root(client, signed_in, org, issue, tmp_path):
    credential = issue(name="Grace Hopper")
    admin = signed_in("admin")
    data, root = _p12(b"s3cret pass")
    with changes_nothing():
        r = admin.post(
            f"/w/{org.slug}/settings/signed-pdfs",
            {"action": "upload", "password": "wrong", "file": SimpleUploadedFile("acme.p12", data)},
        )
    assert r.status_code == 400
    assert "the password is wrong" in r.content.decode()
    r = admin.post(
        f"/w/{org.slug}/settings/signed-pdfs",
        {"action": "upload", "password": "s3cret pass", "file": SimpleUploadedFile("acme.p12", data)},
    )
    assert r.status_code == 302
    admin.post(f"/w/{org.slug}/settings/signed-pdfs", {"action": "settings", "enabled": "on"})
    signing = PdfSigning.objects.get(organization=org)
    assert signing.source == "uploaded" and "Acme Training Certificates" in signing.subject
    pdf = _pdf(admin, credential)
    status = _validate(pdf, [_asn1(root)])
    assert status.intact and status.valid and status.trusted, status.pretty_print_details()
    # against a root it does not chain to, the signature is intact but not trusted
    other_key = ec.generate_private_key(ec.SECP256R1())
    assert not _validate(pdf, [_asn1(_cert("Someone Else", other_key, ca=True))]).trusted
    assert "Signature is Valid." in _pdfsig(pdf, tmp_path)
    _credential_verifies(pdf)


def test_bad_settings_are_refused_with_the_reason_and_change_nothing(signed_in, org):
    admin = signed_in("admin")
    with changes_nothing():
        r = admin.post(f"/w/{org.slug}/settings/signed-pdfs", {"action": "settings", "enabled": "on"})
    assert r.status_code == 400
    assert "upload a certificate or create one before turning signed PDFs on" in r.content.decode()
    admin.post(f"/w/{org.slug}/settings/signed-pdfs", {"action": "create"})
    with changes_nothing():
        r = admin.post(
            f"/w/{org.slug}/settings/signed-pdfs",
            {"action": "settings", "enabled": "on", "tsa_url": "ftp://tsa"},
        )
    assert r.status_code == 400 and "starts with https://" in r.content.decode()
    with changes_nothing():
        r = admin.post(
            f"/w/{org.slug}/settings/signed-pdfs",
            {"action": "upload", "password": "", "file": SimpleUploadedFile("x.p12", b"not a p12 at all")},
        )
    assert "not a PKCS#12 (.p12/.pfx) file" in r.content.decode()
    issuer = signed_in("issuer")
    assert issuer.get(f"/w/{org.slug}/settings/signed-pdfs").status_code == 403


class _TSA:
    """An RFC 3161 time-stamping authority on loopback: pyHanko's DummyTimeStamper (its own test TSA)
    answering over HTTP as a real one does."""

    def __init__(self) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.root = _cert("Test TSA", self.key, ca=True, eku=[ExtendedKeyUsageOID.TIME_STAMPING])
        der = self.key.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        stamper = DummyTimeStamper(tsa_cert=_asn1(self.root), tsa_key=asn1_keys.PrivateKeyInfo.load(der))
        self.requests = 0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                outer.requests += 1
                answer = asyncio.run(stamper.async_request_tsa_response(tsp.TimeStampReq.load(body)))
                data = answer.dump()
                self.send_response(200)
                self.send_header("Content-Type", "application/timestamp-reply")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/tsr"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def tsa(settings):
    settings.CREDSTACK_TSA_ALLOW_PRIVATE = True  # the test's TSA is on loopback
    server = _TSA()
    yield server
    server.close()


def test_with_a_time_stamping_authority_the_signature_carries_a_trusted_time(
    client, signed_in, org, issue, tsa, tmp_path
):
    credential = issue(name="Katherine Johnson")
    admin = signed_in("admin")
    admin.post(f"/w/{org.slug}/settings/signed-pdfs", {"action": "create"})
    admin.post(
        f"/w/{org.slug}/settings/signed-pdfs", {"action": "settings", "enabled": "on", "tsa_url": tsa.url}
    )
    signing = PdfSigning.objects.get(organization=org)
    pdf = _pdf(admin, credential)
    asked = tsa.requests
    assert asked >= 1  # pyHanko also asks once for a sample token, to size the signature
    assert _pdf(admin, credential) == pdf and tsa.requests == asked  # kept: the TSA is not asked again
    status = _validate(pdf, [_pem_to_asn1(signing.certificate_pem), _asn1(tsa.root)])
    assert status.intact and status.valid and status.trusted, status.pretty_print_details()
    assert status.timestamp_validity is not None
    assert status.timestamp_validity.intact and status.timestamp_validity.valid
    assert status.timestamp_validity.trusted
    assert abs(status.timestamp_validity.timestamp - dt.datetime.now(dt.UTC)) < dt.timedelta(minutes=5)
    assert "Signature is Valid." in _pdfsig(pdf, tmp_path)
    _credential_verifies(pdf)


def test_a_time_stamping_authority_on_a_private_address_is_not_called_by_default(
    client, signed_in, org, issue, tsa, settings, tmp_path
):
    settings.CREDSTACK_TSA_ALLOW_PRIVATE = False
    credential = issue(name="Mary Jackson")
    admin = signed_in("admin")
    admin.post(f"/w/{org.slug}/settings/signed-pdfs", {"action": "create"})
    admin.post(
        f"/w/{org.slug}/settings/signed-pdfs", {"action": "settings", "enabled": "on", "tsa_url": tsa.url}
    )
    pdf = _pdf(admin, credential)
    assert tsa.requests == 0
    status = _validate(pdf, [_pem_to_asn1(PdfSigning.objects.get(organization=org).certificate_pem)])
    assert status.intact and status.valid and status.timestamp_validity is None  # signed, without a time
