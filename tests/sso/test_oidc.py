"""OpenID Connect single sign-on against panva's oidc-provider started on loopback (no browser here: the
full browser flow is tests/e2e/test_sso_browser.py): the issuer is checked when entered, and a callback
with a forged code or state signs nobody in."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from credstack.organizations.actors import Actor
from credstack.sso import actions
from credstack.sso.models import Connection

from .dnsproof import prove_domains
from .idps import OidcIdp

REDIRECT = "http://testserver/accounts/oidc/acme/login/callback/"


@pytest.fixture
def idp():
    client = {"client_id": "credstack-acme", "client_secret": "s3cret", "redirect_uris": [REDIRECT]}
    users = {"ada": {"email": "ada@acme.example", "name": "Ada", "groups": ["credential-team"]}}
    with OidcIdp(client, users) as running:
        yield running


@pytest.fixture
def connected(org, idp):
    connection = actions.configure_oidc(
        org,
        issuer=idp.issuer,
        client_id="credstack-acme",
        secret="s3cret",
        domains=["acme.example"],
        actor=Actor.command_line(),
    )
    return prove_domains(connection)


def test_an_issuer_that_does_not_answer_is_refused_with_a_message(org):
    with pytest.raises(ValidationError) as refused:
        actions.configure_oidc(
            org,
            issuer="http://127.0.0.1:9/",  # the discard port: nothing listens
            client_id="c",
            secret="s",
            domains=["acme.example"],
            actor=Actor.command_line(),
        )
    assert "could not be fetched" in str(refused.value)
    assert not Connection.objects.exists()


def test_an_issuer_whose_configuration_names_another_is_refused(org, idp):
    with pytest.raises(ValidationError) as refused:
        actions.configure_oidc(
            org,
            issuer=idp.issuer.replace("127.0.0.1", "localhost"),
            client_id="c",
            secret="s",
            domains=["acme.example"],
            actor=Actor.command_line(),
        )
    assert "names another issuer" in str(refused.value)


def test_discovery_sends_to_the_issuer_with_pkce(client, connected, idp):
    response = client.post("/sso/start", {"email": "Ada@ACME.example"})
    assert response.status_code == 302
    target = urlsplit(response["Location"])
    query = parse_qs(target.query)
    assert f"{target.scheme}://{target.netloc}" == idp.issuer
    assert query["client_id"] == ["credstack-acme"]
    assert query["redirect_uri"] == [REDIRECT]
    assert query["code_challenge_method"] == ["S256"]
    assert "groups" in query["scope"][0].split()


def test_a_forged_code_or_state_signs_nobody_in(client, connected, idp):
    response = client.post("/sso/start", {"email": "ada@acme.example"})
    state = parse_qs(urlsplit(response["Location"]).query)["state"][0]
    forged = client.get("/accounts/oidc/acme/login/callback/", {"code": "forged-code", "state": state})
    assert forged.status_code == 401  # the provider refused the code at its token endpoint
    wrong_state = client.get("/accounts/oidc/acme/login/callback/", {"code": "x", "state": "not-ours"})
    assert wrong_state.status_code == 401
    assert "_auth_user_id" not in client.session
    assert not get_user_model().objects.filter(email="ada@acme.example").exists()


def test_an_address_without_sso_is_sent_back_to_the_password_form(client, connected):
    response = client.post("/sso/start", {"email": "someone@elsewhere.example"}, follow=True)
    assert "No organization signs in elsewhere.example addresses through single sign-on" in (
        response.content.decode()
    )


def test_the_client_secret_is_sealed_at_rest(connected):
    connected.app.refresh_from_db()
    assert "s3cret" not in connected.app.secret and connected.app.secret.startswith("sealed:")


def test_allauths_calls_to_the_provider_go_through_the_one_client(settings, idp):
    """The session allauth gets refuses what credstack.httpclient refuses: a loopback provider is reached
    only with CREDSTACK_SSO_ALLOW_PRIVATE."""
    import requests  # the exception type allauth catches; only this test needs it

    from credstack.sso import http  # beside the test it serves

    assert http.session().get(idp.issuer + "/.well-known/openid-configuration").json()["issuer"] == idp.issuer
    settings.CREDSTACK_SSO_ALLOW_PRIVATE = False
    with pytest.raises(requests.exceptions.InvalidURL):
        http.session().get(idp.issuer + "/.well-known/openid-configuration")
