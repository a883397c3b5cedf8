"""SAML 2.0 single sign-on against an IdP the test starts on loopback (tests/sso/idps.py): the admin
connects it from its metadata URL in the workspace; a sign-in by email-domain discovery makes a member
with the role its groups map to; unsigned, tampered and other-domain responses are refused."""

from __future__ import annotations

import base64
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model

from credstack.organizations.actions import create_organization
from credstack.organizations.actors import Actor
from credstack.organizations.models import AuditEntry, Membership, Role
from credstack.portal.views import PENDING
from credstack.sso import actions
from credstack.sso.models import Connection

from .dnsproof import prove_domains
from .idps import SamlIdp, authn_request_id, key_and_cert, saml_response

AUDIENCE = "http://sp.example.test/accounts/saml/acme/metadata/"
ACS = "http://sp.example.test/accounts/saml/acme/acs/"
USERS = {
    "ada@acme.example": {"email": ["ada@acme.example"], "memberOf": ["staff", "credential-team"]},
    "eve@other.example": {"email": ["eve@other.example"], "memberOf": ["credential-team"]},
}


@pytest.fixture(autouse=True)
def _host(client):
    client.defaults["HTTP_HOST"] = "sp.example.test"  # python3-saml reads it, and refuses one-label hosts


@pytest.fixture
def admin(org):
    user = get_user_model().objects.create_user("admin", "admin@acme.example", "pw-admin-123456")
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    Membership.objects.create(organization=org, user=user, role=Role.OWNER)
    return user


@pytest.fixture
def idp():
    with SamlIdp(USERS, audience=AUDIENCE) as running:
        yield running


@pytest.fixture
def connected(client, admin, org, idp):
    """The owner connects the IdP from its metadata URL and maps a group, through the workspace page."""
    client.force_login(admin)
    response = client.post(
        "/w/acme/sso/",
        {"form": "saml", "metadata_url": idp.metadata_url, "domains": "acme.example"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    response = client.post(
        "/w/acme/sso/",
        {
            "form": "policy",
            "default_role": "viewer",
            "groups_attribute": "memberOf",
            "role_map": "credential-team = issuer\nit = admin",
        },
    )
    assert response.status_code == 302
    client.logout()
    return prove_domains(Connection.objects.get(organization=org))


def _sign_in(client, email: str):
    """Discovery by email domain → the IdP → its form posted back to the ACS; returns the last answer."""
    response = client.post("/sso/start", {"email": email})
    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith("http://127.0.0.1:"), location  # sent to the IdP
    return location


def _post_back(client, location: str, idp, *, sign=True, email=None, tamper=None, key=None):
    query = {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}
    request_id, acs = authn_request_id(query["SAMLRequest"])
    assert acs == ACS
    who = email or idp.next_user
    xml = saml_response(
        issuer=idp.entity_id,
        destination=acs,
        audience=AUDIENCE,
        in_response_to=request_id,
        email=who,
        attributes=idp.users[who],
        key_pem=key[0] if key else idp.key_pem,
        cert_pem=key[1] if key else idp.cert_pem,
        sign=sign,
    )
    if tamper:
        xml = tamper(xml)
    response = client.post(
        "/accounts/saml/acme/acs/",
        {"SAMLResponse": base64.b64encode(xml).decode(), "RelayState": query.get("RelayState", "")},
    )
    assert response.status_code == 302  # to finish_acs, with the response kept for it
    return client.get(response["Location"])


def test_metadata_url_is_read_and_the_change_is_audited(connected, idp):
    settings = connected.app.settings["idp"]
    assert settings["entity_id"] == idp.entity_id
    assert settings["sso_url"] == f"{idp.base}/sso"
    assert list(connected.domains.values_list("domain", flat=True)) == ["acme.example"]
    assert AuditEntry.objects.filter(action="sso.configured", organization=connected.organization).exists()
    assert AuditEntry.objects.filter(action="sso.policy_changed").exists()


def test_discovery_sign_in_makes_a_member_with_the_mapped_role(client, connected, idp):
    location = _sign_in(client, "ada@acme.example")
    answer = _post_back(client, location, idp)
    assert answer.status_code == 302, answer.content.decode()[:3000]
    user = get_user_model().objects.get(email="ada@acme.example")
    membership = Membership.objects.get(user=user, organization=connected.organization)
    assert membership.role == Role.ISSUER  # credential-team = issuer
    assert client.get("/w/acme/").status_code == 200  # signed in to the workspace
    assert AuditEntry.objects.filter(action="sso.member_created", target="ada@acme.example").exists()


def test_an_unsigned_response_is_refused(client, connected, idp):
    answer = _post_back(client, _sign_in(client, "ada@acme.example"), idp, sign=False)
    assert "_auth_user_id" not in client.session
    assert not get_user_model().objects.filter(email="ada@acme.example").exists()
    assert answer.status_code == 401  # allauth's authentication error page


def test_a_tampered_response_is_refused(client, connected, idp):
    # signed, then the email attribute and NameID changed: the digest no longer matches
    def tamper(xml: bytes) -> bytes:
        return xml.replace(b"ada@acme.example", b"boss@acme.example")

    answer = _post_back(client, _sign_in(client, "ada@acme.example"), idp, tamper=tamper)
    assert answer.status_code == 401
    assert "_auth_user_id" not in client.session
    assert not get_user_model().objects.filter(email__in=["ada@acme.example", "boss@acme.example"]).exists()


def test_a_response_signed_by_another_key_is_refused(client, connected, idp):
    answer = _post_back(client, _sign_in(client, "ada@acme.example"), idp, key=key_and_cert("impostor"))
    assert answer.status_code == 401
    assert "_auth_user_id" not in client.session
    assert not get_user_model().objects.filter(email="ada@acme.example").exists()


def test_the_idp_cannot_sign_in_an_address_of_another_domain(client, connected, idp):
    answer = _post_back(client, _sign_in(client, "ada@acme.example"), idp, email="eve@other.example")
    assert answer.status_code == 403
    assert "outside its domains" in answer.content.decode()
    assert not get_user_model().objects.filter(email="eve@other.example").exists()


def test_another_organizations_domain_cannot_be_claimed(connected, db):
    other = create_organization(
        slug="rival", name="Rival", url="https://rival.example", email="a@rival.example"
    )
    with pytest.raises(Exception) as refused:
        actions.configure_saml(
            other, metadata_xml="<x/>", domains=["acme.example"], actor=Actor.system("test")
        )
    assert "another organization" in str(refused.value)
    with pytest.raises(Exception) as public:
        actions.clean_domains(other, ["gmail.com"])
    assert "public mail service" in str(public.value)


def test_sso_required_refuses_the_password_but_not_the_owner(client, connected, admin, idp):
    _post_back(client, _sign_in(client, "ada@acme.example"), idp)
    client.logout()
    ada = get_user_model().objects.get(email="ada@acme.example")
    ada.set_password("pw-ada-123456789")
    ada.save()
    connected.required = True
    connected.save()
    response = client.post("/accounts/login/", {"login": "ada@acme.example", "password": "pw-ada-123456789"})
    assert "_auth_user_id" not in client.session
    assert "requires single sign-on" in response.content.decode()
    # the owner's password still works: the break-glass path
    response = client.post("/accounts/login/", {"login": "admin@acme.example", "password": "pw-admin-123456"})
    assert client.session.get("_auth_user_id") == str(admin.pk)


def test_a_learner_signs_in_to_the_portal_through_the_idp(client, connected, idp):
    response = client.post("/me/login", {"email": "ada@acme.example", "next": "/me/"})
    assert response.status_code == 302 and response["Location"].startswith(idp.base)
    answer = _post_back(client, response["Location"], idp)
    assert answer.status_code == 302 and answer["Location"] == "/me/"
    assert client.get("/me/").status_code == 200
    assert "_auth_user_id" not in client.session  # a portal session, not a workspace one
    assert not get_user_model().objects.filter(email="ada@acme.example").exists()


def test_bad_metadata_is_refused_with_a_message(client, admin, org):
    client.force_login(admin)
    response = client.post(
        "/w/acme/sso/", {"form": "saml", "metadata_xml": "<nope/>", "domains": "acme.example"}
    )
    assert response.status_code == 422
    assert re.search(r"no IdP entity id|not SAML metadata", response.content.decode())
    assert not Connection.objects.exists()


def test_later_sign_ins_map_the_role_again_but_never_touch_an_owner(client, connected, idp):
    _post_back(client, _sign_in(client, "ada@acme.example"), idp)
    membership = Membership.objects.get(user__email="ada@acme.example")
    assert membership.role == Role.ISSUER
    client.logout()
    idp.users["ada@acme.example"] = {"email": ["ada@acme.example"], "memberOf": ["it"]}
    _post_back(client, _sign_in(client, "ada@acme.example"), idp)
    membership.refresh_from_db()
    assert membership.role == Role.ADMIN
    assert AuditEntry.objects.filter(action="sso.role_mapped", detail__contains="issuer -> admin").exists()
    client.logout()
    membership.role = Role.OWNER
    membership.save()
    _post_back(client, _sign_in(client, "ada@acme.example"), idp)
    membership.refresh_from_db()
    assert membership.role == Role.OWNER  # the IdP never changes an owner


def test_an_existing_account_that_is_not_a_member_is_not_taken_over(client, connected, idp):
    someone = get_user_model().objects.create_user("ada", "ada@acme.example", "pw-ada-123456789")
    answer = _post_back(client, _sign_in(client, "ada@acme.example"), idp)
    assert answer.status_code == 403
    assert "Ask an admin of Acme Training to invite it" in answer.content.decode()
    assert not Membership.objects.filter(user=someone).exists()
    assert "_auth_user_id" not in client.session


def test_a_code_sent_before_sso_was_required_is_not_accepted(client, connected):
    session = client.session
    session[PENDING] = "ada@acme.example"  # the code was asked for before the IdP was required
    session.save()
    Connection.objects.filter(pk=connected.pk).update(required=True)
    response = client.post("/me/login/code", {"code": "123456"})
    assert response.status_code == 400
    assert "signs ada@acme.example in through single sign-on" in response.content.decode()
    assert "portal_account" not in client.session


def test_the_course_player_sign_in_goes_through_the_idp_and_back_to_the_course(client, connected, idp):
    response = client.post("/me/login", {"email": "ada@acme.example", "next": "/learn/acme/python-101"})
    assert response["Location"].startswith(idp.base)
    answer = _post_back(client, response["Location"], idp)
    assert answer["Location"] == "/learn/acme/python-101"
    assert client.session["portal_assurance"] == "sso"
