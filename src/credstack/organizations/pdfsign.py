"""PAdES signatures on certificate PDFs by the organization's certificate (issue 17, decision 0052).

The renderer (``credstack.render``, no Django) writes the PDF; this module signs it afterwards with
pyHanko as an incremental update: the bytes the renderer wrote, its embedded credential included,
stay as they were and are covered by the signature. The certificate is the organization's own:
an uploaded PKCS#12 file, or one credstack creates (self-signed, in the organization's name). Its
private key is sealed at rest like the credential signing keys; it is opened only here.

With a time-stamping authority configured (``PdfSigning.tsa_url``), the signature carries an RFC 3161
timestamp token (PAdES B-T). The request goes through :mod:`credstack.httpclient` (public addresses
only unless ``CREDSTACK_TSA_ALLOW_PRIVATE``)."""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import io
import warnings
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from asn1crypto import keys as asn1_keys
from asn1crypto import tsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from django.conf import settings
from django.utils.translation import gettext as _

from credstack import httpclient

from .models import Organization, PdfSigning

SIGNATURE_FIELD = "CredstackSignature"
CERTIFICATE_YEARS = 5


class CertificateError(ValueError):
    """A PKCS#12 file that cannot be used, said in words for the settings page."""


@dataclass(frozen=True)
class KeyMaterial:
    key_der: bytes  # PKCS#8
    certificate_pem: str
    chain_pem: str
    subject: str
    fingerprint: str
    not_after: dt.datetime


def _material(key, cert: x509.Certificate, chain: list[x509.Certificate]) -> KeyMaterial:
    return KeyMaterial(
        key_der=key.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ),
        certificate_pem=cert.public_bytes(serialization.Encoding.PEM).decode(),
        chain_pem="".join(c.public_bytes(serialization.Encoding.PEM).decode() for c in chain),
        subject=cert.subject.rfc4514_string()[:300],
        fingerprint=cert.fingerprint(hashes.SHA256()).hex(),
        not_after=cert.not_valid_after_utc,
    )


def create_certificate(org: Organization, now: dt.datetime | None = None) -> KeyMaterial:
    """A self-signed certificate in the organization's name (ECDSA P-256, valid five years): a PDF
    reader shows who signed and that nothing changed since; it is trusted where the organization's
    certificate is added as trusted (or replace it with one from a certification authority)."""
    now = now or dt.datetime.now(dt.UTC)
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, org.name[:64] or org.slug),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, org.name[:64] or org.slug),
        ]
    )
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=365 * CERTIFICATE_YEARS))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return _material(key, cert, [])


def read_pkcs12(data: bytes, password: str, now: dt.datetime | None = None) -> KeyMaterial:
    """The key and certificates of an uploaded PKCS#12 (.p12/.pfx) file; CertificateError names what
    is wrong (wrong password, no key, expired, a key type PDF readers do not take)."""
    now = now or dt.datetime.now(dt.UTC)
    try:
        key, cert, chain = pkcs12.load_key_and_certificates(data, password.encode() if password else None)
    except ValueError as exc:
        raise CertificateError(
            _("the file cannot be opened: it is not a PKCS#12 (.p12/.pfx) file, or the password is wrong")
        ) from exc
    if key is None or cert is None:
        raise CertificateError(_("the file holds no private key with its certificate"))
    if not isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
        raise CertificateError(_("the key must be RSA or ECDSA (PDF readers check no other kind)"))
    spki = serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    if cert.public_key().public_bytes(*spki) != key.public_key().public_bytes(*spki):
        raise CertificateError(_("the certificate in the file is not the certificate of its key"))
    if cert.not_valid_after_utc <= now:
        raise CertificateError(
            _("the certificate expired on %(date)s") % {"date": f"{cert.not_valid_after_utc:%Y-%m-%d}"}
        )
    if cert.not_valid_before_utc > now:
        raise CertificateError(
            _("the certificate is valid only from %(date)s")
            % {"date": f"{cert.not_valid_before_utc:%Y-%m-%d}"}
        )
    return _material(key, cert, list(chain or []))


def _pem_certs(pem: str) -> list[asn1_x509.Certificate]:
    if not pem.strip():
        return []
    return [
        asn1_x509.Certificate.load(c.public_bytes(serialization.Encoding.DER))
        for c in x509.load_pem_x509_certificates(pem.encode())
    ]


def _pyhanko() -> SimpleNamespace:
    """The parts of pyHanko used here, imported when a PDF is first signed (pyHanko takes over a
    second to import, and most processes never sign). Its import warns that DSA is deprecated in
    cryptography: credstack uses no DSA."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from pyhanko.pdf_utils import incremental_writer  # first use only: pyHanko is slow to import
        from pyhanko.sign import fields, general, signers  # first use only (see above)
        from pyhanko.sign.timestamps import api, common_utils  # first use only (see above)
        from pyhanko_certvalidator import registry  # first use only (see above)
    return SimpleNamespace(
        writer=incremental_writer,
        fields=fields,
        general=general,
        signers=signers,
        timestamps=api,
        timestamp_errors=common_utils,
        registry=registry,
    )


def timestamper(url: str) -> Any:
    """A pyHanko TimeStamper asking the RFC 3161 authority at ``url`` through credstack's one HTTP
    client (public addresses only unless ``CREDSTACK_TSA_ALLOW_PRIVATE``)."""
    ph = _pyhanko()
    request_error = ph.timestamp_errors.TimestampRequestError

    base: Any = ph.timestamps.TimeStamper

    class HttpTimeStamper(base):  # type: ignore[misc,valid-type]
        async def async_request_tsa_response(self, req: tsp.TimeStampReq) -> tsp.TimeStampResp:
            policy = (
                httpclient.any_address if settings.CREDSTACK_TSA_ALLOW_PRIVATE else httpclient.public_only
            )
            try:
                response = httpclient.request(
                    "POST",
                    url,
                    body=req.dump(),
                    headers={"Content-Type": "application/timestamp-query"},
                    policy=policy,
                    timeout=10,
                    deadline=20,
                    max_bytes=256 * 1024,
                    user_agent="credstack-pades",
                )
            except (httpclient.HTTPClientError, httpclient.BlockedTarget) as exc:
                raise request_error(f"the time-stamping authority cannot be reached: {exc}") from exc
            if response.status != 200:
                raise request_error(f"the time-stamping authority answered {response.status}")
            return tsp.TimeStampResp.load(response.body)

    return HttpTimeStamper()


class PdfSigningError(RuntimeError):
    """The PDF could not be signed (the time-stamping authority failed, the key cannot be opened)."""


def sign_pdf(signing: PdfSigning, pdf: bytes, *, reason: str = "", timestamp: bool = True) -> bytes:
    """The PDF with a PAdES signature by the organization's certificate added as an incremental update
    (the renderer's bytes, embedded credential included, are kept as they were and signed)."""
    ph = _pyhanko()
    signers, fields = ph.signers, ph.fields
    key = asn1_keys.PrivateKeyInfo.load(signing.private_key_der())
    cert = _pem_certs(signing.certificate_pem)[0]
    chain = _pem_certs(signing.chain_pem)
    registry = ph.registry.SimpleCertificateStore.from_certs([cert, *chain])
    signer = signers.SimpleSigner(signing_cert=cert, signing_key=key, cert_registry=registry)
    meta = signers.PdfSignatureMetadata(
        field_name=SIGNATURE_FIELD,
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason or None,
        name=signing.organization.name,
    )
    stamper = timestamper(signing.tsa_url) if signing.tsa_url and timestamp else None
    out = io.BytesIO()
    if _in_event_loop():  # pyHanko's sync API runs its own loop: not inside a running one
        with ThreadPoolExecutor(1) as pool:
            return pool.submit(sign_pdf, signing, pdf, reason=reason, timestamp=timestamp).result()
    try:
        signers.sign_pdf(
            ph.writer.IncrementalPdfFileWriter(io.BytesIO(pdf)),
            meta,
            signer=signer,
            timestamper=stamper,
            output=out,
        )
    except (
        ph.general.SigningError,
        ph.timestamp_errors.TimestampRequestError,
    ) as exc:
        raise PdfSigningError(str(exc)) from exc
    return out.getvalue()


def _in_event_loop() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def signing_for(org: Organization) -> PdfSigning | None:
    """The organization's PDF signing when it is turned on, else None."""
    return PdfSigning.objects.filter(organization=org, enabled=True).select_related("organization").first()


def marker(signing: PdfSigning) -> str:
    """A short mark of the signing in force (certificate and time-stamping authority), for file names."""
    return hashlib.sha256(f"{signing.fingerprint}|{signing.tsa_url}".encode()).hexdigest()[:8]
