"""Dates in the viewer's language (issue 17, decision 0062): the credential page, the verifier, the
portal, the workspace, the issue email and the certificate PDF write "5. Dezember 2028" in German and
"5 ديسمبر، 2028" in Arabic (Django's locale formats), and English keeps "5 December 2028"."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime

import pytest
from django.core import mail
from pypdf import PdfReader

from credstack.credentials.files import certificate_pdf
from credstack.organizations.actions import update_organization_settings
from credstack.organizations.actors import Actor
from credstack.organizations.models import Membership, Role
from tests.workspace.conftest import make_user

pytestmark = pytest.mark.django_db

UNTIL = datetime(2028, 12, 5, tzinfo=UTC)
EXPECTED = {"en": "5 December 2028", "de": "5. Dezember 2028", "ar": "5 ديسمبر، 2028"}
DE_MONTHS = "Januar Februar März April Mai Juni Juli August September Oktober November Dezember".split()


def _german(moment: datetime) -> str:
    return f"{moment.day}. {DE_MONTHS[moment.month - 1]} {moment.year}"


@pytest.mark.parametrize("lang", ["en", "de", "ar"])
def test_the_credential_page_and_the_verifier_write_the_viewers_dates(client, issue, lang):
    credential = issue(valid_until=UNTIL)
    page = client.get(f"/c/{credential.public_id}", HTTP_ACCEPT_LANGUAGE=lang).content.decode()
    assert EXPECTED[lang] in page
    if lang == "de":
        assert _german(credential.issued_at) in page
    verified = client.get("/verify", {"url": credential.uri}, HTTP_ACCEPT_LANGUAGE=lang).content.decode()
    assert f">{EXPECTED[lang]}</time>" in verified
    # the checks' names, which the pure core reports as codes, are in the viewer's language too
    validity = {"en": "validity", "de": "Gültigkeit", "ar": "الصلاحية"}[lang]
    for html in (page, verified):
        assert re.search(rf"[✔✖–] {validity}</span>", html)


def test_a_revoked_credential_says_when_in_the_viewers_language(client, issue):
    from credstack.credentials.actions import revoke_credential  # the state this test needs

    credential = revoke_credential(issue(), reason="issued in error", actor="test")
    page = client.get(f"/c/{credential.public_id}", HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert _german(credential.revoked_at) in page


def test_the_workspace_writes_dates_in_the_members_language(org, issue, client):
    credential = issue()
    admin = make_user("admin@acme.example")
    Membership.objects.create(organization=org, user=admin, role=Role.ADMIN)
    client.force_login(admin)
    url = f"/w/{org.slug}/credentials/{credential.public_id}/revoke"
    client.post("/w/language", {"language": "de"})  # the member's choice of language
    page = client.post(url, {"reason": "issued in error"}).content.decode()  # the confirmation page
    assert _german(credential.issued_at) in page


def test_the_email_and_the_certificate_use_the_credentials_language(
    org, issue, django_capture_on_commit_callbacks
):
    update_organization_settings(org, {"language": "de"}, None, Actor.command_line())
    org.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        credential = issue(email="anna@example.org", valid_until=UNTIL)
    [email] = [m for m in mail.outbox if m.to == ["anna@example.org"]]
    assert EXPECTED["de"] in email.body
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(certificate_pdf(credential))).pages)
    assert _german(credential.issued_at) in text


def test_an_arabic_certificate(org, issue):
    update_organization_settings(org, {"language": "ar"}, None, Actor.command_line())
    org.refresh_from_db()
    credential = issue(valid_until=UNTIL)
    from credstack.credentials.files import certificate_values  # the values the PDF is drawn from

    values = certificate_values(credential)
    assert values["expiry_date"] == EXPECTED["ar"]
    assert "ديسمبر" in values["issue_date"] or credential.issued_at.month != 12
