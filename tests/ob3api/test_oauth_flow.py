"""A wallet registers, the holder authorizes it, and it pulls their credentials (OB 3.0 API)."""

from __future__ import annotations

import base64
import secrets
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from django.utils import timezone

from credstack.credentials.resolver import local_fetch
from credstack.ob3api.actions import pkce_challenge
from credstack.portal.models import Account, AccountEmail
from credstack.portal.queries import SESSION_KEY
from credstack.vc import verify as vc_verify

pytestmark = pytest.mark.django_db

SCOPE = "https://purl.imsglobal.org/spec/ob/v3p0/scope/"
REDIRECT = "https://wallet.example/callback"


def holder(*emails: str) -> Account:
    account = Account.objects.create()
    for email in emails:
        AccountEmail.objects.create(
            account=account, email=email, normalized=email.lower(), verified_at=timezone.now()
        )
    return account


def logged_in(account: Account) -> Client:
    browser = Client()
    session = browser.session
    session[SESSION_KEY] = account.public_id
    session.save()
    return browser


def register(client: Client, **extra) -> dict:
    response = client.post(
        "/ims/ob/v3p0/oauth/register",
        {
            "client_name": "Test Wallet",
            "redirect_uris": [REDIRECT],
            "client_uri": "https://wallet.example",
            "scope": f"{SCOPE}credential.readonly {SCOPE}profile.readonly",
            **extra,
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    return response.json()


def basic(reg: dict) -> dict:
    raw = f"{reg['client_id']}:{reg['client_secret']}".encode()
    return {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(raw).decode()}


def authorize(browser: Client, reg: dict, verifier: str, scope: str | None = None, state="xyz") -> str:
    params = {
        "response_type": "code",
        "client_id": reg["client_id"],
        "redirect_uri": REDIRECT,
        "state": state,
        "scope": scope or reg["scope"],
        "code_challenge": pkce_challenge(verifier),
        "code_challenge_method": "S256",
    }
    consent = browser.get("/ims/ob/v3p0/oauth/authorize", params)
    assert consent.status_code == 200 and "Test Wallet" in consent.content.decode()
    back = browser.post("/ims/ob/v3p0/oauth/authorize", {**params, "decision": "allow"})
    assert back.status_code == 302 and back["Location"].startswith(REDIRECT)
    query = parse_qs(urlsplit(back["Location"]).query)
    assert query["state"] == [state]
    return query["code"][0]


def token(client: Client, reg: dict, **form) -> dict:
    return client.post("/ims/ob/v3p0/oauth/token", form, **basic(reg))


def test_discovery_names_the_registration_and_oauth_urls(client):
    doc = client.get("/ims/ob/v3p0/discovery").json()
    scheme = doc["components"]["securitySchemes"]["OAuth2ACG"]
    assert scheme["x-imssf-registrationUrl"].endswith("/ims/ob/v3p0/oauth/register")
    assert scheme["flows"]["authorizationCode"]["tokenUrl"].endswith("/ims/ob/v3p0/oauth/token")
    assert doc["info"]["x-imssf-privacyPolicyUrl"]


def test_register_authorize_and_pull_credentials(client, issue, org):
    from credstack.achievements.actions import create_achievement
    from credstack.credentials.actions import issue_credential
    from credstack.organizations.actions import create_organization

    mine = issue(name="Ada Lovelace", email="ada@example.org")
    other_org = create_organization(slug="uni", name="City University")
    elsewhere = issue_credential(
        achievement=create_achievement(
            organization=other_org, slug="data", name="Data", description="d", criteria_narrative="c"
        ),
        recipient_name="Ada Lovelace",
        recipient_email="ADA@work.example",
    )
    not_mine = issue(name="Bob", email="bob@example.org")
    account = holder("ada@example.org", "ada@work.example")
    browser = logged_in(account)

    reg = register(client)
    verifier = secrets.token_urlsafe(48)
    code = authorize(browser, reg, verifier)
    issued = token(
        client, reg, grant_type="authorization_code", code=code, redirect_uri=REDIRECT, code_verifier=verifier
    )
    assert issued.status_code == 200, issued.content
    tokens = issued.json()
    assert tokens["token_type"] == "Bearer" and tokens["expires_in"] == 3600

    auth = {"HTTP_AUTHORIZATION": f"Bearer {tokens['access_token']}"}
    response = client.get("/ims/ob/v3p0/credentials", **auth)
    assert response.status_code == 200 and response["X-Total-Count"] == "2"
    pulled = response.json()["credential"]
    assert {c["id"] for c in pulled} == {mine.uri, elsewhere.uri}
    assert not_mine.uri not in {c["id"] for c in pulled}
    for credential in pulled:
        assert vc_verify.verify_credential(credential, fetch=local_fetch).valid

    huge = client.get("/ims/ob/v3p0/credentials", {"offset": 10**30}, **auth)
    assert huge.status_code == 400 and "offset" in huge.json()["imsx_description"]
    page = client.get("/ims/ob/v3p0/credentials", {"limit": 1}, **auth)
    assert len(page.json()["credential"]) == 1 and 'rel="next"' in page["Link"]
    # any offset Python parses (up to ±24 h) works, though PostgreSQL itself takes only ±15:59
    since = client.get("/ims/ob/v3p0/credentials", {"since": "2000-01-01T00:00:00-21:15"}, **auth)
    assert since.status_code == 200 and since["X-Total-Count"] == "2"
    future = client.get("/ims/ob/v3p0/credentials", {"since": "6526-07-22T18:45:18+21:15"}, **auth)
    assert future.status_code == 200 and future["X-Total-Count"] == "0"
    for bad in ("2026-13-01T00:00:00Z", "yesterday", "9999-12-31T23:00:00-21:15"):
        refused = client.get("/ims/ob/v3p0/credentials", {"since": bad}, **auth)
        assert refused.status_code == 400 and "since" in refused.json()["imsx_description"], bad

    profile = client.get("/ims/ob/v3p0/profile", **auth).json()
    assert (
        profile["type"] == ["Profile"]
        and profile["email"] == "ada@example.org"
        and profile["name"] == "Ada Lovelace"
    )

    # refresh rotates: the old refresh token stops working
    refreshed = token(client, reg, grant_type="refresh_token", refresh_token=tokens["refresh_token"]).json()
    assert refreshed["access_token"] != tokens["access_token"]
    again = token(client, reg, grant_type="refresh_token", refresh_token=tokens["refresh_token"])
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"
    assert client.get("/ims/ob/v3p0/credentials", **auth).status_code == 401

    # a replayed code is refused and revokes what it produced
    replay = token(
        client, reg, grant_type="authorization_code", code=code, redirect_uri=REDIRECT, code_verifier=verifier
    )
    assert replay.json()["error"] == "invalid_grant"
    assert (
        client.get(
            "/ims/ob/v3p0/credentials", HTTP_AUTHORIZATION=f"Bearer {refreshed['access_token']}"
        ).status_code
        == 401
    )


def test_wrong_verifier_redirect_or_secret_is_refused(client, db):
    browser = logged_in(holder("ada@example.org"))
    reg = register(client)
    code = authorize(browser, reg, "a" * 50)
    bad = token(
        client, reg, grant_type="authorization_code", code=code, redirect_uri=REDIRECT, code_verifier="b" * 50
    )
    assert bad.status_code == 400 and "code_verifier" in bad.json()["error_description"]
    wrong_secret = client.post(
        "/ims/ob/v3p0/oauth/token",
        {"grant_type": "refresh_token", "refresh_token": "x"},
        **basic({**reg, "client_secret": "nope"}),
    )
    assert wrong_secret.status_code == 401 and wrong_secret.json()["error"] == "invalid_client"


def test_unregistered_redirect_is_shown_not_followed(client, db):
    browser = logged_in(holder("ada@example.org"))
    reg = register(client)
    response = browser.get(
        "/ims/ob/v3p0/oauth/authorize",
        {
            "response_type": "code",
            "client_id": reg["client_id"],
            "redirect_uri": "https://evil.example/cb",
            "code_challenge": pkce_challenge("v" * 50),
            "code_challenge_method": "S256",
        },
    )
    assert response.status_code == 400 and "redirect_uri" in response.content.decode()


def test_pkce_is_required_and_strangers_are_sent_to_log_in(client, db):
    reg = register(client)
    params = {"response_type": "code", "client_id": reg["client_id"], "redirect_uri": REDIRECT}
    no_pkce = logged_in(holder("ada@example.org")).get("/ims/ob/v3p0/oauth/authorize", params)
    assert no_pkce.status_code == 302 and "error=invalid_request" in no_pkce["Location"]
    stranger = Client().get(
        "/ims/ob/v3p0/oauth/authorize",
        {**params, "code_challenge": "c" * 43, "code_challenge_method": "S256"},
    )
    assert stranger.status_code == 302 and stranger["Location"].startswith("/me/login?next=")


def test_deny_returns_access_denied(client, db):
    browser = logged_in(holder("ada@example.org"))
    reg = register(client)
    params = {
        "response_type": "code",
        "client_id": reg["client_id"],
        "redirect_uri": REDIRECT,
        "state": "s1",
        "code_challenge": pkce_challenge("v" * 50),
        "code_challenge_method": "S256",
    }
    back = browser.post("/ims/ob/v3p0/oauth/authorize", {**params, "decision": "deny"})
    assert "error=access_denied" in back["Location"] and "state=s1" in back["Location"]


def test_scope_is_enforced(client, issue):
    issue(email="ada@example.org")
    browser = logged_in(holder("ada@example.org"))
    reg = register(client)
    verifier = "v" * 50
    code = authorize(browser, reg, verifier, scope=f"{SCOPE}profile.readonly")
    tokens = token(
        client, reg, grant_type="authorization_code", code=code, redirect_uri=REDIRECT, code_verifier=verifier
    ).json()
    response = client.get("/ims/ob/v3p0/credentials", HTTP_AUTHORIZATION=f"Bearer {tokens['access_token']}")
    assert response.status_code == 403 and response.json()["imsx_codeMajor"] == "failure"


@pytest.mark.parametrize(
    ("metadata", "error"),
    [
        ({"client_name": "W", "redirect_uris": ["http://wallet.example/cb"]}, "invalid_redirect_uri"),
        ({"client_name": "W", "redirect_uris": []}, "invalid_redirect_uri"),
        ({"redirect_uris": ["https://w.example/cb"]}, "invalid_client_metadata"),
        (
            {"client_name": "W", "redirect_uris": ["https://w.example/cb"], "scope": "admin"},
            "invalid_client_metadata",
        ),
    ],
)
def test_bad_registrations_are_refused(client, db, metadata, error):
    response = client.post("/ims/ob/v3p0/oauth/register", metadata, content_type="application/json")
    assert response.status_code == 400 and response.json()["error"] == error


def test_reusing_a_rotated_refresh_token_revokes_the_whole_family(client, issue):
    issue(name="Ada Lovelace", email="ada@example.org")
    browser = logged_in(holder("ada@example.org"))
    reg = register(client)

    def grant() -> dict:
        verifier = secrets.token_urlsafe(48)
        code = authorize(browser, reg, verifier)
        return token(
            client,
            reg,
            grant_type="authorization_code",
            code=code,
            redirect_uri=REDIRECT,
            code_verifier=verifier,
        ).json()

    def works(access: str) -> bool:
        response = client.get("/ims/ob/v3p0/credentials", HTTP_AUTHORIZATION=f"Bearer {access}")
        return response.status_code == 200

    first = grant()
    second = token(client, reg, grant_type="refresh_token", refresh_token=first["refresh_token"]).json()
    third = token(client, reg, grant_type="refresh_token", refresh_token=second["refresh_token"]).json()
    unrelated = grant()  # another authorization of the same client: another family
    assert works(third["access_token"]) and works(unrelated["access_token"])

    # an attacker replays the first refresh token: refused, and the newest tokens of its family stop working
    replay = token(client, reg, grant_type="refresh_token", refresh_token=first["refresh_token"])
    assert replay.status_code == 400 and replay.json()["error"] == "invalid_grant"
    assert "revoked" in replay.json()["error_description"]
    assert not works(third["access_token"])
    newest = token(client, reg, grant_type="refresh_token", refresh_token=third["refresh_token"])
    assert newest.status_code == 400 and newest.json()["error"] == "invalid_grant"
    assert works(unrelated["access_token"])  # the other family is untouched
