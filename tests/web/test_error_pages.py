"""No dead ends: an unknown credential, a missing page, a refused or bad request and a crash each get a page
in the site's look that says what happened and where to go next."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.test import Client, RequestFactory

from credstack.organizations.models import Membership, Role
from credstack.web import errors
from tests.courses.factory import make_course

pytestmark = pytest.mark.django_db


def test_an_unknown_credential_explains_itself_and_offers_the_verifier(client):
    response = client.get("/c/doesnotexist123")
    assert response.status_code == 404
    html = response.text
    assert "<h1>No such credential</h1>" in html
    assert (
        "No credential with this id was issued here — check the link, or verify the file you were given."
        in html
    )
    assert "<code>doesnotexist123</code>" in html
    assert '<a class="btn" href="/verify">Verify a file or a link</a>' in html
    assert 'href="/static/credstack/site.css"' in html  # styled, not Django's bare "Not Found"


@pytest.mark.parametrize("suffix", [".pdf", ".png", ".svg", ".json"])
def test_an_unknown_credentials_files_say_the_same(client, suffix):
    response = client.get(f"/c/doesnotexist123{suffix}")
    assert response.status_code == 404 and "No credential with this id was issued here" in response.text


def test_the_id_is_shown_escaped(client):
    response = client.get("/c/%3Cscript%3Ex")
    assert response.status_code == 404
    assert "<code>&lt;script&gt;x</code>" in response.text and "<script>x" not in response.text


def test_a_missing_page_is_a_styled_404(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert "<h1>Page not found</h1>" in response.text and "Check the link" in response.text


def test_a_missing_course_of_an_organization_keeps_its_brand(client, org, achievement):
    make_course(org, achievement)
    response = client.get("/learn/acme/no-such-course")
    assert response.status_code == 404
    assert "Acme Training has nothing at this address" in response.text
    header = response.text.split("</header>")[0]
    assert "Acme Training" in header and ">credstack<" not in header


def test_an_unknown_organizations_course_is_a_plain_404(client):
    response = client.get("/learn/nobody/nothing")
    assert response.status_code == 404 and "<h1>Page not found</h1>" in response.text


def test_403_400_and_500_pages_say_what_happened():
    request = RequestFactory().get("/somewhere")
    forbidden = errors.permission_denied(request, PermissionDenied())
    assert forbidden.status_code == 403 and "<h1>Not allowed</h1>" in forbidden.content.decode()
    bad = errors.bad_request(request, SuspiciousOperation())
    assert bad.status_code == 400 and "<h1>Bad request</h1>" in bad.content.decode()
    crash = errors.server_error(request)
    body = crash.content.decode()
    assert crash.status_code == 500 and "<h1>Something went wrong on our side</h1>" in body
    assert 'href="/static/credstack/site.css"' in body


def test_a_workspace_403_is_the_styled_page(client, org, django_user_model):
    user = django_user_model.objects.create_user("viewer", "viewer@example.org", "pw-123456789")
    Membership.objects.create(organization=org, user=user, role=Role.VIEWER)
    client.force_login(user)
    response = client.get("/w/acme/settings")  # admins only
    assert response.status_code == 403
    assert "<h1>Not allowed</h1>" in response.text


def test_a_form_sent_without_its_token_gets_the_styled_page_not_djangos(org):
    response = Client(enforce_csrf_checks=True).post("/verify", {"credential": "{}"})
    assert response.status_code == 403
    assert "<h1>This form has expired</h1>" in response.text and "reload the page" in response.text
