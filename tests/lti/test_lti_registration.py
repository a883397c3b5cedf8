"""Registering an LMS: the workspace page (with the values to paste into the LMS), the command line, and
LTI Dynamic Registration against a platform served on loopback."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from credstack.cli import main
from credstack.lti.actions import registration_url
from credstack.lti.models import LtiPlatform
from credstack.organizations.actors import Actor
from credstack.organizations.models import AuditEntry, Membership
from tests.lti.browser_platform import REGISTRATION_TOKEN, BrowserPlatform
from tests.lti.simulator import ISSUER, start_login
from tests.workspace.conftest import make_user

pytestmark = pytest.mark.django_db

FORM = {
    "name": "Moodle of Acme",
    "issuer": "https://moodle.acme.example",
    "client_id": "abc123",
    "deployment_ids": "1, 2",
    "auth_login_url": "https://moodle.acme.example/mod/lti/auth.php",
    "auth_token_url": "https://moodle.acme.example/mod/lti/token.php",
    "key_set_url": "https://moodle.acme.example/mod/lti/certs.php",
    "default_course": "",
}


def admin(org, role="admin") -> Client:
    user = make_user(f"{role}@acme.example")
    Membership.objects.create(organization=org, user=user, role=role)
    client = Client()
    client.force_login(user)
    return client


def test_the_page_shows_what_to_paste_and_registers_a_platform(org, settings):
    settings.CREDSTACK_BASE_URL = "https://credstack.acme.example"
    client = admin(org)
    page = client.get("/w/acme/lti/").content.decode()
    for value in ("/lti/login", "/lti/launch", "/lti/jwks"):
        assert '<code id="lti-' in page and f"https://credstack.acme.example{value}</code>" in page
    assert 'data-copy="lti-login"' in page and 'data-copy="lti-registration-url"' in page
    assert re.search(r"https://credstack.acme.example/lti/register/[^<]+</code>", page)

    response = client.post("/w/acme/lti/", FORM)
    assert response.status_code == 302
    platform = LtiPlatform.objects.get()
    assert platform.deployment_ids == ["1", "2"] and platform.client_id == "abc123"
    entry = AuditEntry.objects.get(action="lti.platform_registered")
    assert entry.actor_label == "admin@acme.example" and "abc123" in entry.detail
    assert "Moodle of Acme" in client.get("/w/acme/lti/").content.decode()

    again = client.post("/w/acme/lti/", FORM)  # the same issuer and client id
    assert again.status_code == 422 and "is registered" in again.content.decode()
    missing = client.post("/w/acme/lti/", {**FORM, "client_id": "other", "deployment_ids": " "})
    assert missing.status_code == 422 and "at least one deployment id" in missing.content.decode()
    assert LtiPlatform.objects.count() == 1

    client.post(f"/w/acme/lti/{platform.public_id}/remove")
    assert not LtiPlatform.objects.exists()
    assert AuditEntry.objects.filter(action="lti.platform_removed").exists()


def test_only_admins_reach_the_page(org):
    issuer = admin(org, role="issuer")
    assert issuer.get("/w/acme/lti/").status_code == 403
    assert issuer.post("/w/acme/lti/", FORM).status_code == 403
    assert not LtiPlatform.objects.exists()


def test_the_command_line_registers_and_lists(org, capsys):
    args = [
        "lti",
        "register",
        "--org",
        "acme",
        "--name",
        "Canvas",
        "--issuer",
        "https://canvas.instructure.com",
    ]
    args += ["--client-id", "10000000000001", "--deployment-id", "7:abc", "--deployment-id", "8:def"]
    args += ["--auth-login-url", "https://sso.canvaslms.com/api/lti/authorize_redirect"]
    args += ["--token-url", "https://sso.canvaslms.com/login/oauth2/token"]
    args += ["--jwks-url", "https://sso.canvaslms.com/api/lti/security/jwks"]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "/lti/login" in out and "/lti/jwks" in out
    assert LtiPlatform.objects.get().deployment_ids == ["7:abc", "8:def"]
    assert AuditEntry.objects.get(action="lti.platform_registered").actor_kind == "cli"
    assert main(["lti", "list", "--org", "acme"]) == 0
    assert "10000000000001" in capsys.readouterr().out
    assert main(args) == 2  # registered already
    assert "is registered" in capsys.readouterr().err


def test_a_refused_login_names_the_unknown_platform(platform):
    response = Client().post("/lti/login", {"iss": ISSUER, "client_id": "nope", "login_hint": "x"})
    assert response.status_code == 400 and "nope" in response.content.decode()
    assert start_login(Client())["client_id"]  # the registered one still works


# ---- LTI Dynamic Registration, against a platform on loopback ----------------------------------------


@pytest.fixture
def lms():
    platform = BrowserPlatform("http://testserver")
    yield platform
    platform.close()


def _register(client, token: str, config_url: str, registration_token: str = REGISTRATION_TOKEN):
    return client.get(
        f"/lti/register/{token}",
        {"openid_configuration": config_url, "registration_token": registration_token},
    )


def test_dynamic_registration_stores_the_platform_and_closes_the_window(org, lms, client):
    user = make_user("admin@acme.example")
    token = registration_url(org, Actor.for_user(user)).rsplit("/", 1)[1]
    response = _register(client, token, f"{lms.url}/.well-known/openid-configuration")
    html = response.content.decode()
    assert response.status_code == 200 and "credstack is registered" in html
    assert "data-lti-close" in html and "/static/lti/lti.js" in html
    assert response["Content-Security-Policy"].endswith(f"frame-ancestors 'self' {lms.url}")
    platform = LtiPlatform.objects.get()
    assert (platform.issuer, platform.client_id, platform.deployment_ids) == (
        lms.url,
        "dyn-client-1",
        ["dyn-deployment-1"],
    )
    assert platform.auth_login_url == lms.url + "/auth" and platform.key_set_url == lms.url + "/jwks"
    entry = AuditEntry.objects.get(action="lti.platform_registered")
    assert entry.actor_label == "admin@acme.example" and entry.organization == org
    [sent] = lms.registrations
    assert sent["token_endpoint_auth_method"] == "private_key_jwt" and sent["response_types"] == ["id_token"]
    assert "https://purl.imsglobal.org/spec/lti-ags/scope/score" in sent["scope"].split()


def test_dynamic_registration_refuses_what_it_cannot_trust(org, lms, client):
    token = registration_url(org, Actor.command_line()).rsplit("/", 1)[1]
    config = f"{lms.url}/.well-known/openid-configuration"
    forged = _register(client, token[:-3] + "xyz", config)
    assert forged.status_code == 400 and "not valid or has expired" in forged.content.decode()
    # the configuration served from another host than its issuer
    other_host = config.replace("localhost", "127.0.0.1")
    moved = _register(client, token, other_host)
    assert moved.status_code == 400 and "is not the host that served it" in moved.content.decode()
    refused = _register(client, token, config, registration_token="wrong")
    assert refused.status_code == 400 and "answered 401" in refused.content.decode()
    assert not LtiPlatform.objects.exists() and lms.registrations == []


def test_dynamic_registration_keeps_private_addresses_out_unless_allowed(org, lms, client, settings):
    settings.CREDSTACK_LTI_ALLOW_PRIVATE = False
    token = registration_url(org, Actor.command_line()).rsplit("/", 1)[1]
    response = _register(client, token, f"{lms.url}/.well-known/openid-configuration")
    assert response.status_code == 400 and "not a public address" in response.content.decode()
    assert not LtiPlatform.objects.exists()


def test_dynamic_registration_errors_are_in_the_admins_language(org, client):
    """Issue 17: the admin who pastes the URL into a German LMS reads why it failed in German."""
    token = registration_url(org, Actor.command_line()).rsplit("/", 1)[1]
    response = client.get(
        f"/lti/register/{token[:-3]}xyz",
        {"openid_configuration": "https://lms.example/.well-known/openid-configuration"},
        HTTP_ACCEPT_LANGUAGE="de",
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "credstack konnte sich bei diesem LMS nicht registrieren" in html
    assert "diese Registrierungs-URL ist ungültig oder abgelaufen" in html
