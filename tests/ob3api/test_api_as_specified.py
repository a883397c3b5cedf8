"""The OB 3.0 REST API as 1EdTech specifies it (OB 3.0 §6 and its OpenAPI document; the 1EdTech Security
Framework for the OAuth parts): one test per deviation that issue 16 listed, and upsertCredential and
putProfile working end to end."""

from __future__ import annotations

import base64
import json
import secrets
import uuid
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client

from credstack.ob3api.actions import pkce_challenge
from credstack.ob3api.models import HeldCredential, HolderProfile
from credstack.organizations.models import AuditEntry

from .test_oauth_flow import REDIRECT, SCOPE, basic, holder, logged_in, register, token

pytestmark = pytest.mark.django_db

ALL = " ".join(
    SCOPE + s for s in ("credential.readonly", "credential.upsert", "profile.readonly", "profile.update")
)
IMSX_KEYS = {"imsx_codeMajor", "imsx_severity", "imsx_description", "imsx_codeMinor"}
# the spec's own registration request (OB 3.0 §7.2 "Sample registration request"), with a loopback-free
# https redirect as in the spec
SPEC_REGISTRATION = {
    "client_name": "Example Client Application",
    "client_uri": "https://client.1edtech.org/",
    "logo_uri": "https://client.1edtech.org/logo.png",
    "tos_uri": "https://client.1edtech.org/terms",
    "policy_uri": "https://client.1edtech.org/privacy",
    "software_id": "c88b6ed8-269e-448e-99be-7e2ff47167d1",
    "software_version": "v4.0.30319",
    "redirect_uris": ["https://client.1edtech.org/Authorize"],
    "token_endpoint_auth_method": "client_secret_basic",
    "grant_types": ["authorization_code", "refresh_token"],
    "response_types": ["code"],
    "scope": f"{SCOPE}credential.readonly {SCOPE}credential.upsert offline_access",
}


def granted(client: Client, scope: str = ALL, email: str = "ada@example.org") -> tuple[dict, dict]:
    """A registered client, and the tokens a holder granted it (through the consent page and a code)."""
    browser = logged_in(holder(email))
    reg = register(client, scope=scope)
    verifier = secrets.token_urlsafe(48)
    params = {
        "response_type": "code",
        "client_id": reg["client_id"],
        "redirect_uri": REDIRECT,
        "scope": scope,
        "code_challenge": pkce_challenge(verifier),
        "code_challenge_method": "S256",
    }
    back = browser.post("/ims/ob/v3p0/oauth/authorize", {**params, "decision": "allow"})
    code = parse_qs(urlsplit(back["Location"]).query)["code"][0]
    tokens = token(
        client, reg, grant_type="authorization_code", code=code, redirect_uri=REDIRECT, code_verifier=verifier
    ).json()
    return reg, tokens


def bearer(tokens: dict) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {tokens['access_token']}"}


def assert_imsx(response, status: int, minor: str) -> dict:
    body = response.json()
    assert response.status_code == status, body
    assert set(body) == IMSX_KEYS, body  # nothing else: the schema has additionalProperties false
    assert body["imsx_codeMajor"] == "failure" and body["imsx_severity"] == "error"
    (field,) = body["imsx_codeMinor"]["imsx_codeMinorField"]
    assert field == {"imsx_codeMinorFieldName": "TargetEndSystem", "imsx_codeMinorFieldValue": minor}
    return body


def credential(ident: str | None = None, name: str = "Data Literacy") -> dict:
    return {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        ],
        "id": ident or f"urn:uuid:{uuid.uuid4()}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": "https://other-issuer.example/issuers/1", "type": ["Profile"], "name": "Other"},
        "validFrom": "2025-01-02T03:04:05Z",
        "name": name,
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "achievement": {
                "id": "https://other-issuer.example/a/1",
                "type": ["Achievement"],
                "name": name,
                "description": "d",
                "criteria": {"narrative": "c"},
            },
        },
    }


# --- getCredentials ----------------------------------------------------------------------------------


def test_the_link_header_always_names_first_and_last(client, issue):
    for n in range(3):
        issue(email="ada@example.org", name=f"Ada {n}")
    _, tokens = granted(client)
    pages = {
        offset: client.get("/ims/ob/v3p0/credentials", {"limit": 2, "offset": offset}, **bearer(tokens))
        for offset in (0, 2)
    }
    rels = {
        offset: {part.split('rel="')[1].rstrip('"'): part for part in r["Link"].split(", ")}
        for offset, r in pages.items()
    }
    assert set(rels[0]) == {"first", "last", "next"}
    assert set(rels[2]) == {"first", "last", "prev"}
    assert "offset=2" in rels[0]["last"] and "offset=0" in rels[2]["first"]
    single = client.get("/ims/ob/v3p0/credentials", **bearer(tokens))
    assert 'rel="first"' in single["Link"] and 'rel="last"' in single["Link"]


def test_errors_are_imsx_status_info_with_the_specs_code_minor_values(client, db):
    no_token = client.get("/ims/ob/v3p0/credentials")
    assert_imsx(no_token, 401, "unauthorizedrequest")
    assert no_token["WWW-Authenticate"].startswith("Bearer ")
    _, tokens = granted(client, scope=f"{SCOPE}profile.readonly")
    assert_imsx(client.get("/ims/ob/v3p0/credentials", **bearer(tokens)), 403, "forbidden")
    _, tokens = granted(client, email="bob@example.org")
    bad = client.get("/ims/ob/v3p0/credentials", {"limit": 0}, **bearer(tokens))
    assert "limit" in assert_imsx(bad, 400, "invalid_query_parameter")["imsx_description"]
    deleted = client.delete("/ims/ob/v3p0/credentials", **bearer(tokens))
    assert_imsx(deleted, 405, "not_allowed")
    assert deleted["Allow"] == "GET, POST"


# --- CSRF: bearer endpoints are exempt, the cookie-authenticated consent page is not ----------------


def test_bearer_writes_need_no_csrf_token_but_the_consent_page_does(db):
    client = Client(enforce_csrf_checks=True)
    _, tokens = granted(client)
    posted = client.post(
        "/ims/ob/v3p0/credentials", credential(), content_type="application/json", **bearer(tokens)
    )
    assert posted.status_code == 201, posted.content
    put = client.put(
        "/ims/ob/v3p0/profile",
        {**client.get("/ims/ob/v3p0/profile", **bearer(tokens)).json(), "name": "Ada L."},
        content_type="application/json",
        **bearer(tokens),
    )
    assert put.status_code == 200, put.content

    browser = logged_in(holder("eve@example.org"))
    browser.handler.enforce_csrf_checks = True
    reg = register(client)
    forged = browser.post(
        "/ims/ob/v3p0/oauth/authorize",
        {
            "response_type": "code",
            "client_id": reg["client_id"],
            "redirect_uri": REDIRECT,
            "code_challenge": pkce_challenge("v" * 50),
            "code_challenge_method": "S256",
            "decision": "allow",
        },
    )
    assert forged.status_code == 403  # a cross-site form cannot grant access in the holder's name


# --- discovery and registration ----------------------------------------------------------------------


def test_discovery_lists_exactly_the_scopes_registration_accepts(client, db):
    doc = client.get("/ims/ob/v3p0/discovery").json()
    scopes = doc["components"]["securitySchemes"]["OAuth2ACG"]["flows"]["authorizationCode"]["scopes"]
    assert set(scopes) == set(ALL.split())
    accepted = register(client, scope=" ".join(scopes))
    assert set(accepted["scope"].split()) == set(scopes)
    assert {op for path in doc["paths"].values() for op in (o["operationId"] for o in path.values())} == {
        "getCredentials",
        "upsertCredential",
        "getProfile",
        "putProfile",
    }


def test_the_specs_own_registration_example_is_accepted_and_echoed(client, db):
    response = client.post(
        "/ims/ob/v3p0/oauth/register",
        {**SPEC_REGISTRATION, "contacts": ["support@client.1edtech.org"]},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    for key, value in SPEC_REGISTRATION.items():
        assert body[key] == value, key
    assert body["contacts"] == ["support@client.1edtech.org"]
    assert body["client_id"] and body["client_secret"]
    assert response["Cache-Control"] == "no-store" and response["Pragma"] == "no-cache"


def test_discovery_image_terms_and_privacy_resolve(client, settings, db):
    info = client.get("/ims/ob/v3p0/discovery").json()["info"]
    base = settings.CREDSTACK_BASE_URL
    image = client.get(info["x-imssf-image"].removeprefix(base))
    assert image.status_code == 200 and image["Content-Type"] == "image/svg+xml"
    assert image.content.startswith(b"<svg")
    terms = client.get(info["termsOfService"].removeprefix(base))
    privacy = client.get(info["x-imssf-privacyPolicyUrl"].removeprefix(base))
    assert terms.status_code == 200 and "Terms of service" in terms.content.decode()
    assert privacy.status_code == 200 and "Privacy policy" in privacy.content.decode()
    settings.CREDSTACK_TERMS_URL = "https://operator.example/terms"
    settings.CREDSTACK_PRIVACY_URL = "https://operator.example/privacy"
    info = client.get("/ims/ob/v3p0/discovery").json()["info"]
    assert info["termsOfService"] == "https://operator.example/terms"
    assert info["x-imssf-privacyPolicyUrl"] == "https://operator.example/privacy"


# --- authorization and token endpoints ---------------------------------------------------------------


def test_the_authorization_redirect_names_the_granted_scope(client, db):
    browser = logged_in(holder("ada@example.org"))
    reg = register(client)
    back = browser.post(
        "/ims/ob/v3p0/oauth/authorize",
        {
            "response_type": "code",
            "client_id": reg["client_id"],
            "redirect_uri": REDIRECT,
            "scope": f"{SCOPE}profile.readonly",
            "code_challenge": pkce_challenge("v" * 50),
            "code_challenge_method": "S256",
            "decision": "allow",
        },
    )
    assert parse_qs(urlsplit(back["Location"]).query)["scope"] == [f"{SCOPE}profile.readonly"]


def test_token_responses_are_not_cached_and_a_bad_basic_client_gets_a_basic_challenge(client, db):
    reg, _ = granted(client)
    issued = token(client, reg, grant_type="refresh_token", refresh_token="nope")
    assert issued["Cache-Control"] == "no-store" and issued["Pragma"] == "no-cache"
    bad = client.post(
        "/ims/ob/v3p0/oauth/token",
        {"grant_type": "refresh_token", "refresh_token": "x"},
        **basic({**reg, "client_secret": "wrong"}),
    )
    assert bad.status_code == 401 and bad.json()["error"] == "invalid_client"
    assert bad["WWW-Authenticate"].startswith("Basic ")
    assert bad["Cache-Control"] == "no-store" and bad["Pragma"] == "no-cache"


# --- getProfile / putProfile -------------------------------------------------------------------------


def test_profile_type_is_a_list_and_put_profile_changes_it_through_an_audited_action(client, issue):
    issue(email="ada@example.org", name="Ada Lovelace")
    reg, tokens = granted(client)
    mine = client.get("/ims/ob/v3p0/profile", **bearer(tokens)).json()
    assert mine["type"] == ["Profile"] and mine["name"] == "Ada Lovelace"

    changed = {**mine, "name": "Ada King", "givenName": "Ada", "url": "https://ada.example"}
    put = client.put("/ims/ob/v3p0/profile", changed, content_type="application/json", **bearer(tokens))
    assert put.status_code == 200, put.content
    now = client.get("/ims/ob/v3p0/profile", **bearer(tokens)).json()
    assert (now["name"], now["givenName"], now["url"], now["email"]) == (
        "Ada King",
        "Ada",
        "https://ada.example",
        "ada@example.org",
    )
    entry = AuditEntry.objects.get(action="ob3.profile_updated")
    assert entry.actor_kind == "api" and entry.organization is None
    assert reg["client_id"][:8] in entry.actor_label and "givenName" in entry.detail

    for bad, why in (
        ({**now, "id": "https://elsewhere.example/me/1"}, "id"),
        ({**now, "email": "someone@else.example"}, "email"),
        ({**now, "type": "Profile"}, "type"),
        ({**now, "name": ["x"]}, "name"),
    ):
        refused = client.put("/ims/ob/v3p0/profile", bad, content_type="application/json", **bearer(tokens))
        assert why in assert_imsx(refused, 400, "invalid_data")["imsx_description"]
    assert client.get("/ims/ob/v3p0/profile", **bearer(tokens)).json() == now  # nothing changed
    assert AuditEntry.objects.filter(action="ob3.profile_updated").count() == 1


def test_put_profile_needs_the_profile_update_scope(client, db):
    _, tokens = granted(client, scope=f"{SCOPE}profile.readonly")
    mine = client.get("/ims/ob/v3p0/profile", **bearer(tokens)).json()
    refused = client.put("/ims/ob/v3p0/profile", mine, content_type="application/json", **bearer(tokens))
    assert_imsx(refused, 403, "forbidden")
    assert not HolderProfile.objects.exists()


# --- upsertCredential --------------------------------------------------------------------------------


def test_upsert_inserts_then_replaces_by_id_and_get_credentials_lists_it(client, issue):
    issued = issue(email="ada@example.org")
    _, tokens = granted(client)
    first = credential(name="Data Literacy")
    created = client.post(
        "/ims/ob/v3p0/credentials", first, content_type="application/json", **bearer(tokens)
    )
    assert created.status_code == 201 and created.json() == first
    again = {**first, "name": "Data Literacy (renewed)"}
    replaced = client.post(
        "/ims/ob/v3p0/credentials", again, content_type="application/json", **bearer(tokens)
    )
    assert replaced.status_code == 200 and replaced.json()["name"] == "Data Literacy (renewed)"
    assert HeldCredential.objects.count() == 1

    listed = client.get("/ims/ob/v3p0/credentials", **bearer(tokens))
    assert listed["X-Total-Count"] == "2"
    assert [c["id"] for c in listed.json()["credential"]] == [issued.uri, first["id"]]
    assert listed.json()["credential"][1]["name"] == "Data Literacy (renewed)"
    second_page = client.get("/ims/ob/v3p0/credentials", {"limit": 1, "offset": 1}, **bearer(tokens))
    assert [c["id"] for c in second_page.json()["credential"]] == [first["id"]]

    kinds = list(
        AuditEntry.objects.filter(action__startswith="ob3.credential")
        .order_by("id")
        .values_list("action", "actor_kind")
    )
    assert kinds == [("ob3.credential_added", "api"), ("ob3.credential_replaced", "api")]

    # a credential this host issued to the holder is theirs already: answered, not stored twice
    own = client.post(
        "/ims/ob/v3p0/credentials", issued.signed(), content_type="application/json", **bearer(tokens)
    )
    assert own.status_code == 200 and own.json()["id"] == issued.uri
    assert HeldCredential.objects.count() == 1


def test_upsert_takes_a_vc_jwt_as_text_plain(client, db):
    _, tokens = granted(client)
    doc = credential()
    part = lambda obj: base64.urlsafe_b64encode(json.dumps(obj).encode()).decode().rstrip("=")  # noqa: E731
    jwt = f"{part({'alg': 'EdDSA', 'typ': 'JWT'})}.{part({'vc': doc, 'iss': doc['issuer']['id']})}.c2ln"
    posted = client.post("/ims/ob/v3p0/credentials", jwt, content_type="text/plain", **bearer(tokens))
    assert posted.status_code == 201 and posted.content.decode() == jwt
    assert posted["Content-Type"].startswith("text/plain")
    listed = client.get("/ims/ob/v3p0/credentials", **bearer(tokens)).json()
    assert listed == {"credential": [], "compactJwsString": [jwt]}


@pytest.mark.parametrize(
    ("change", "why"),
    [
        ({"id": None}, "id"),
        ({"type": ["VerifiableCredential"]}, "type"),
        ({"@context": ["https://example.org/ctx"]}, "@context"),
        ({"issuer": 7}, "issuer"),
        ({"validFrom": "yesterday"}, "validFrom"),
        ({"credentialSubject": "ada"}, "credentialSubject"),
    ],
)
def test_a_bad_credential_is_refused_and_nothing_is_stored(client, db, change, why):
    _, tokens = granted(client)
    bad = {k: v for k, v in {**credential(), **change}.items() if v is not None}
    refused = client.post("/ims/ob/v3p0/credentials", bad, content_type="application/json", **bearer(tokens))
    assert why in assert_imsx(refused, 400, "invalid_data")["imsx_description"]
    assert not HeldCredential.objects.exists() and not AuditEntry.objects.exists()


def test_upsert_needs_the_upsert_scope(client, db):
    _, tokens = granted(client, scope=f"{SCOPE}credential.readonly")
    refused = client.post(
        "/ims/ob/v3p0/credentials", credential(), content_type="application/json", **bearer(tokens)
    )
    assert_imsx(refused, 403, "forbidden")
    assert not HeldCredential.objects.exists()
