"""Signed certificate PDFs in the browser (issue 17): an admin opens Settings, goes to "Signed PDFs",
lets credstack create the organization's certificate, turns signing on, and the certificate PDF a
learner downloads is signed (poppler's pdfsig: valid; pyHanko: intact and valid against the
organization's certificate) with the credential inside still verifying."""

from __future__ import annotations

import io
import subprocess
import warnings
from concurrent.futures import ThreadPoolExecutor

import pytest
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from playwright.sync_api import expect

from tests.e2e.conftest import save_screenshot, sign_in

with warnings.catch_warnings():  # pyHanko's import warns that cryptography deprecates DSA
    warnings.simplefilter("ignore")
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

pytestmark = pytest.mark.django_db(transaction=True)  # the live server reads what the test writes


def test_an_admin_turns_on_signed_pdfs_and_the_downloaded_certificate_is_signed(page, org, issue, tmp_path):
    from credstack.credentials.resolver import local_fetch
    from credstack.organizations.models import Membership
    from credstack.render import extract_attachments
    from credstack.vc.verify import verify_credential
    from tests.workspace.conftest import make_user

    user = make_user("admin@acme.example", password="a long pass phrase 42")
    Membership.objects.create(organization=org, user=user, role="admin")
    sign_in(page, user)

    page.goto(f"/w/{org.slug}/settings")
    page.get_by_role("link", name="Signed PDFs settings").click()
    expect(page.get_by_role("heading", name="Signed certificate PDFs", level=1)).to_be_visible()
    # turning it on before there is a certificate is refused, beside the checkbox
    page.get_by_label("Sign certificate PDFs").check()
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator("#pdf-enabled-error")).to_have_text(
        "upload a certificate or create one before turning signed PDFs on"
    )
    page.get_by_role("button", name="Create a certificate for my organization").click()
    expect(page.get_by_text(f"A certificate for {org.name} was created.")).to_be_visible()
    page.get_by_label("Sign certificate PDFs").check()
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("Saved. Certificates downloaded from now on follow it.")).to_be_visible()
    expect(page.get_by_label("Sign certificate PDFs")).to_be_checked()
    save_screenshot(page, "workspace-signed-pdfs", full_page=True)
    with page.expect_download() as dl:
        page.get_by_role("link", name="Download the certificate (PEM)").click()
    pem = open(dl.value.path(), "rb").read()

    credential = issue(name="Ada Lovelace")
    pdf = page.request.get(f"/c/{credential.public_id}.pdf").body()
    path = tmp_path / "certificate.pdf"
    path.write_bytes(pdf)
    report = subprocess.run(["pdfsig", str(path)], capture_output=True, text=True, check=False).stdout
    assert "Signature Validation: Signature is Valid." in report, report
    assert f"Signer Certificate Common Name: {org.name}" in report
    root = asn1_x509.Certificate.load(
        x509.load_pem_x509_certificate(pem).public_bytes(serialization.Encoding.DER)
    )
    (sig,) = PdfFileReader(io.BytesIO(pdf)).embedded_signatures
    with ThreadPoolExecutor(1) as pool:  # pyHanko runs its own event loop; Playwright's runs in this thread
        status = pool.submit(validate_pdf_signature, sig, ValidationContext(trust_roots=[root])).result()
    assert status.intact and status.valid and status.trusted, status.pretty_print_details()
    verified = verify_credential(extract_attachments(pdf)["credential.json"], fetch=local_fetch)
    assert verified.valid, verified.to_dict()
