"""OpenID4VCI 1.0, pre-authorized code flow: a real wallet client (Sphereon's @sphereon/oid4vci-client,
run by Node against the live server on loopback) takes the holder's offer, gets the token and the
credential, and the credential verifies in Digital Bazaar's verifier and in DCC's verifier-core."""

from __future__ import annotations

import json
import re
import subprocess
from datetime import timedelta
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from django.utils import timezone

from credstack.credentials import actions as credential_actions
from credstack.credentials.resolver import local_fetch
from credstack.delivery.rendering import render_message
from credstack.organizations.models import AuditEntry
from credstack.wallets import actions, protocol
from credstack.wallets.models import WalletOffer
from tests.interop.conftest import ensure_node_modules
from tests.interop.verifier import INTEROP_DIR
from tests.unchanged import changes_nothing

GRANT = "urn:ietf:params:oauth:grant-type:pre-authorized_code"


def _offer_from_page(client: Client, credential) -> str:
    """The holder opens "Add to a wallet" and asks for the code: the page's link is the offer."""
    page = client.get(f"/me/c/{credential.public_id}/wallet")
    assert page.status_code == 200 and b"Show the wallet code" in page.content
    response = client.post(f"/me/c/{credential.public_id}/wallet")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<svg" in html and 'aria-label="QR code"' in html
    return unescape(re.search(r'id="wallet-link" href="([^"]+)"', html).group(1))


def _wallet(offer_uri: str) -> dict:
    ensure_node_modules()
    proc = subprocess.run(
        ["node", "oid4vci-wallet.mjs", offer_uri],
        cwd=INTEROP_DIR,
        capture_output=True,
        text=True,
        timeout=120,
    )
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    return out


@pytest.mark.interop
@pytest.mark.django_db(transaction=True)  # the Node wallet reaches the live server: rows must be committed
def test_a_real_wallet_receives_the_credential_and_it_verifies(
    live_server, settings, issue, portal_login, node_verifier
):
    settings.CREDSTACK_BASE_URL = live_server.url
    credential = issue(email="ada@example.org")
    client = portal_login("ada@example.org", Client())
    uri = _offer_from_page(client, credential)
    assert uri.startswith("openid-credential-offer://?credential_offer=")
    offer = json.loads(parse_qs(urlsplit(uri).query)["credential_offer"][0])
    assert offer["credential_issuer"] == live_server.url
    assert offer["credential_configuration_ids"] == list(protocol.CONFIGURATION_IDS)  # ldp_vc first

    out = _wallet(uri)
    assert out["ok"] is True, out
    assert out["version"] == 1015  # the client speaks OpenID4VCI 1.0 (its "draft 15" = the final text)
    assert out["metadata"]["token_endpoint"] == f"{live_server.url}/oid4vci/token"
    [item] = out["response"]["credentials"]
    received = item["credential"]
    # the very credential the page and the files carry
    credential.refresh_from_db()
    assert received == credential.signed()

    documents = {credential.organization.did: local_fetch(credential.organization.did)}
    entry = received["credentialStatus"]
    documents[entry["statusListCredential"]] = local_fetch(entry["statusListCredential"])
    result = node_verifier.verify(received, documents, check_status=True)
    assert result["verified"] is True, result
    core = node_verifier.verifier_core(received)
    assert core["signatureValid"] is True and core["revoked"] is False, core

    # the code worked once: a second wallet with the same offer gets nothing
    again = _wallet(uri)
    assert again["ok"] is False
    row = WalletOffer.objects.get(credential=credential)
    assert row.redeemed_at and row.delivered_at
    done = set(AuditEntry.objects.filter(target=credential.public_id).values_list("action", flat=True))
    assert {"credential.wallet_offer", "credential.wallet_token", "credential.wallet_delivered"} <= done


def _token(client: Client, code: str):
    return client.post("/oid4vci/token", {"grant_type": GRANT, "pre-authorized_code": code})


@pytest.mark.django_db
def test_code_is_single_use_short_lived_and_bound_to_its_credential(issue, client):
    mine = issue(email="ada@example.org")
    other = issue(name="Grace Hopper", email="grace@example.org")
    made = actions.make_offer(mine, actor="test")
    first = _token(client, made.code)
    assert first.status_code == 200 and first["Cache-Control"] == "no-store"
    token = first.json()["access_token"]
    # used: refused, and nothing changes
    with changes_nothing():
        again = _token(client, made.code)
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"
    assert "already used" in again.json()["error_description"]
    # the token fetches the credential of the offer, never another one
    ok = client.post(
        "/oid4vci/credential",
        {"credential_configuration_id": protocol.CONFIGURATION_ID},
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert ok.status_code == 200
    assert ok.json()["credentials"][0]["credential"]["id"] == mine.uri != other.uri
    used = client.post(
        "/oid4vci/credential",
        {"credential_configuration_id": protocol.CONFIGURATION_ID},
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert used.status_code == 401 and used.json()["error"] == "invalid_token"
    assert 'error="invalid_token"' in used["WWW-Authenticate"]

    late = actions.make_offer(mine, actor="test")
    WalletOffer.objects.filter(pk=late.offer.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    with changes_nothing():
        expired = _token(client, late.code)
    assert expired.status_code == 400 and "expired" in expired.json()["error_description"]
    with changes_nothing():
        unknown = _token(client, "not-a-code")
    assert unknown.json()["error"] == "invalid_grant"
    wrong_grant = client.post("/oid4vci/token", {"grant_type": "authorization_code", "code": "x"})
    assert wrong_grant.json()["error"] == "unsupported_grant_type"


@pytest.mark.django_db
def test_a_revoked_credential_is_not_handed_to_a_wallet(issue, client, portal_login):
    credential = issue(email="ada@example.org")
    made = actions.make_offer(credential, actor="test")
    token = _token(client, made.code).json()["access_token"]
    credential_actions.revoke_credential(credential, reason="issued by mistake")
    with changes_nothing():
        refused = client.post(
            "/oid4vci/credential",
            {"credential_configuration_id": protocol.CONFIGURATION_ID},
            content_type="application/json",
            headers={"Authorization": f"Bearer {token}"},
        )
    assert refused.status_code == 403 and refused.json()["error"] == "credential_request_denied"
    holder = portal_login("ada@example.org", Client())
    page = holder.post(f"/me/c/{credential.public_id}/wallet")
    assert page.status_code == 409 and b"revoked" in page.content


@pytest.mark.django_db
def test_only_the_holder_gets_an_offer(issue, portal_login):
    credential = issue(email="ada@example.org")
    stranger = Client()
    assert stranger.get(f"/me/c/{credential.public_id}/wallet").status_code == 302  # sign in first
    someone = portal_login("eve@example.org", Client())
    with changes_nothing():
        assert someone.post(f"/me/c/{credential.public_id}/wallet").status_code == 404


def test_metadata_documents(client, settings):
    settings.CREDSTACK_BASE_URL = "https://credstack.example"
    meta = client.get("/.well-known/openid-credential-issuer").json()
    assert meta["credential_issuer"] == "https://credstack.example"
    assert meta["credential_endpoint"] == "https://credstack.example/oid4vci/credential"
    config = meta["credential_configurations_supported"][protocol.CONFIGURATION_ID]
    assert config["format"] == "ldp_vc"
    assert config["credential_definition"]["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert "cryptographic_binding_methods_supported" not in config  # not bound to a wallet key (0053)
    server = client.get("/.well-known/oauth-authorization-server").json()
    assert server["token_endpoint"] == "https://credstack.example/oid4vci/token"
    assert server["pre-authorized_grant_anonymous_access_supported"] is True


@pytest.mark.django_db
def test_the_credential_email_links_to_the_wallet_offer(issue):
    credential = issue(email="ada@example.org")
    message = render_message(credential, "Your credential", "Well done.", token="t0k")
    wallet = f"/me/c/{credential.public_id}/wallet"
    assert wallet in message.html and wallet in message.text


def _vcapi_wallet(url: str, *flags: str) -> dict:
    ensure_node_modules()
    proc = subprocess.run(
        ["node", "vcapi-wallet.mjs", url, *flags],
        cwd=INTEROP_DIR,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return json.loads(proc.stdout.strip().splitlines()[-1])


@pytest.mark.interop
@pytest.mark.django_db(transaction=True)  # the Node wallet reaches the live server: rows must be committed
def test_learner_credential_wallet_exchange(live_server, settings, issue, portal_login, node_verifier):
    """The Learner Credential Wallet's deep link: a VC-API exchange answered with a DIDAuth presentation
    made by Digital Bazaar's suite (as LCW makes it); a wrong challenge is refused."""
    settings.CREDSTACK_BASE_URL = live_server.url
    credential = issue(email="ada@example.org")
    client = portal_login("ada@example.org", Client())
    html = client.post(f"/me/c/{credential.public_id}/wallet").content.decode()
    lcw = unescape(re.search(r'id="lcw-link" href="([^"]+)"', html).group(1))
    assert lcw.startswith("https://lcw.app/request.html?request=")
    request = json.loads(parse_qs(urlsplit(lcw).query)["request"][0])
    exchange = request["protocols"]["vcapi"]
    assert exchange.startswith(f"{live_server.url}/wallet/exchanges/")

    refused = _vcapi_wallet(exchange, "--wrong-challenge")
    assert refused["ok"] is False and refused["status"] == 400
    assert "challenge" in refused["error"]["error_description"]

    out = _vcapi_wallet(exchange)
    assert out["ok"] is True, out
    assert out["request"]["query"][0]["type"] == "DIDAuthentication"
    [received] = out["response"]["verifiablePresentation"]["verifiableCredential"]
    credential.refresh_from_db()
    assert received == credential.signed()
    core = node_verifier.verifier_core(received)
    assert core["signatureValid"] is True and core["revoked"] is False, core
    assert _vcapi_wallet(exchange)["ok"] is False  # once
    # the same code no longer works for OpenID4VCI either
    offer_code = exchange.rsplit("/", 1)[-1]
    assert (
        Client().post("/oid4vci/token", {"grant_type": GRANT, "pre-authorized_code": offer_code}).status_code
        == 400
    )
