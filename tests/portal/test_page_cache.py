"""Public credential pages, documents, status lists and DID documents from the page cache
(``credentials/pagecache.py``): validators and 304s, invalidation on every change, privacy."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from credstack.credentials import actions, pagecache, views
from credstack.credentials.models import Credential
from credstack.organizations.actions import rotate_key, update_organization_settings
from credstack.organizations.actors import Actor
from credstack.organizations.models import Membership, Role

pytestmark = pytest.mark.django_db


def _state(response) -> str:
    return response.content.decode().split('data-state="', 1)[1].split('"', 1)[0]


def _page(client, credential, **headers):
    return client.get(f"/c/{credential.public_id}", **headers)


def _owner(org):
    user = get_user_model().objects.create_user("owner", "owner@acme.example", "pw-owner-123456")
    Membership.objects.create(organization=org, user=user, role=Role.OWNER)
    return user


def test_a_stranger_gets_the_page_then_a_304_with_its_etag(client, issue):
    credential = issue()
    _page(client, credential)  # the first view of a credential starts its generation; the next one is stored
    first = _page(client, credential)
    assert first.status_code == 200 and _state(first) == "valid"
    assert pagecache.Slot("credential", credential.public_id, "html:en").get() is not None
    etag = first["ETag"]
    assert etag and first["Cache-Control"] == "public, no-cache"
    assert "Cookie" in first["Vary"] and "Accept" in first["Vary"]
    again = _page(client, credential, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b""
    assert again["ETag"] == etag and again["Cache-Control"] == "public, no-cache"
    # another client's copy that is not current gets the page
    assert _page(client, credential, HTTP_IF_NONE_MATCH='"stale"').status_code == 200


def test_each_cached_answer_has_its_own_csp_nonce(client, issue):
    credential = issue()
    nonces = set()
    for _ in range(3):
        response = _page(client, credential)
        nonces.add(re.search(r"'nonce-([^']+)'", response["Content-Security-Policy"]).group(1))
        assert pagecache.NONCE_PLACEHOLDER not in response.content.decode()
    assert len(nonces) == 3


@pytest.mark.parametrize("suffix", [".json", "?format=json"])
def test_the_signed_credential_revalidates(client, issue, suffix):
    credential = issue()
    first = client.get(f"/c/{credential.public_id}{suffix}")
    assert first.status_code == 200 and first.content.decode() == credential.document
    second = client.get(f"/c/{credential.public_id}{suffix}", HTTP_IF_NONE_MATCH=first["ETag"])
    assert second.status_code == 304


def test_status_list_and_did_document_revalidate_and_change_with_what_they_list(client, issue, org):
    credential = issue()
    url = f"/status/{credential.status_list.public_id}/revocation"
    first = client.get(url)
    assert first.status_code == 200 and first["Cache-Control"] == "public, max-age=60"
    assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]).status_code == 304
    actions.revoke_credential(credential, reason="Issued in error")
    after = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert after.status_code == 200 and after.content != first.content
    credential.status_list.refresh_from_db()
    assert after.content.decode() == credential.status_list.revocation_document

    did = client.get("/orgs/acme/did.json")
    assert client.get("/orgs/acme/did.json", HTTP_IF_NONE_MATCH=did["ETag"]).status_code == 304
    new_key = rotate_key(org)
    rotated = client.get("/orgs/acme/did.json", HTTP_IF_NONE_MATCH=did["ETag"])
    assert rotated.status_code == 200 and new_key.fragment in rotated.content.decode()


def test_every_state_change_shows_at_once(client, issue):
    credential = issue()
    assert _state(_page(client, credential)) == "valid"
    etag = _page(client, credential)["ETag"]

    actions.suspend_credential(credential, reason="under review")
    response = _page(client, credential, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200 and _state(response) == "suspended"

    actions.reinstate_credential(credential, reason="cleared")
    assert _state(_page(client, credential)) == "valid"

    new_expiry = (timezone.now() + timedelta(days=400)).replace(microsecond=0)
    actions.change_expiry(credential, valid_until=new_expiry)
    html = _page(client, credential).content.decode()
    assert f"valid until {new_expiry.day} {new_expiry:%B %Y}" in html
    assert '"validUntil"' in client.get(f"/c/{credential.public_id}.json").content.decode()

    actions.revoke_credential(credential, reason="Issued in error")
    response = _page(client, credential)
    assert _state(response) == "revoked" and "Issued in error" in response.content.decode()


def test_a_correction_marks_the_old_page_replaced_at_once(client, issue):
    old = issue(name="Ada Lovelase")
    assert _state(_page(client, old)) == "valid"
    new = actions.correct_credential(old, recipient_name="Ada Lovelace", reason="typo")
    response = _page(client, old)
    assert _state(response) == "replaced" and f'href="{new.uri}"' in response.content.decode()


def test_an_expiry_that_passes_ends_the_cached_page(client, issue):
    # sooner than the cache's own lifetime (600 s), late enough for a loaded machine to cache it first
    credential = issue(valid_until=timezone.now() + timedelta(minutes=2))
    # the first view starts the credential's generation (a batch insert sends no signal), the next is kept
    assert _state(_page(client, credential)) == "valid"
    assert _state(_page(client, credential)) == "valid"
    entry = pagecache.Slot("credential", credential.public_id, "html:en").get()
    assert entry is not None and entry.expires <= credential.valid_until.timestamp()


def test_organization_settings_show_at_once(client, issue, org):
    credential = issue()
    owner = _owner(org)
    assert "Acme Training" in _page(client, credential).content.decode()
    update_organization_settings(org, {"name": "Acme Institute"}, None, Actor.for_user(owner))
    assert "Acme Institute" in _page(client, credential).content.decode()


def test_making_a_credential_private_hides_the_cached_page_at_once(client, issue):
    credential = issue(name="Grace Hopper")
    assert "Grace Hopper" in _page(client, credential).content.decode()
    assert client.get(f"/c/{credential.public_id}.json").status_code == 200
    actions.set_visibility(credential, False)
    response = _page(client, credential)
    assert (
        "Grace Hopper" not in response.content.decode()
        and "This credential is private" in response.content.decode()
    )
    assert response["Cache-Control"] == "private, no-cache"
    assert client.get(f"/c/{credential.public_id}.json").status_code == 404

    other = issue(name="Alan Turing", email="alan@example.org")
    assert "Alan Turing" in _page(client, other).content.decode()
    actions.make_private(Credential.objects.filter(pk=other.pk))  # an update(), not a save()
    assert "Alan Turing" not in _page(client, other).content.decode()


def test_a_private_page_seen_by_its_holder_never_reaches_a_stranger(issue, portal_login):
    credential = issue(name="Private Person", email="private@example.org")
    actions.set_visibility(credential, False)
    holder = portal_login("private@example.org", Client())
    seen = _page(holder, credential)
    assert "Private Person" in seen.content.decode()
    assert seen["Cache-Control"] == "private, no-cache"
    stranger = Client()
    response = _page(stranger, credential)
    assert "Private Person" not in response.content.decode()
    # nor the holder's ETag: a stranger replaying it gets the stranger's page, not a 304 of the holder's
    replay = _page(stranger, credential, HTTP_IF_NONE_MATCH=seen["ETag"])
    assert replay.status_code == 200 and "Private Person" not in replay.content.decode()
    # and the other way round: the stranger's cached page is not what the holder gets
    assert "Private Person" in _page(holder, credential).content.decode()


def test_a_signed_in_members_view_of_a_public_credential_is_private(client, issue, org):
    credential = issue()
    client.force_login(_owner(org))
    response = _page(client, credential)
    assert response.status_code == 200 and response["Cache-Control"] == "private, no-cache"


def test_files_revalidate_and_change_with_the_credential(client, issue):
    credential = issue()
    for suffix in (".pdf", ".png", ".svg"):
        first = client.get(f"/c/{credential.public_id}{suffix}")
        assert first.status_code == 200 and first["Cache-Control"] == "private, no-cache"
        assert (
            client.get(f"/c/{credential.public_id}{suffix}", HTTP_IF_NONE_MATCH=first["ETag"]).status_code
            == 304
        )
    pdf = client.get(f"/c/{credential.public_id}.pdf")
    actions.change_expiry(credential, valid_until=timezone.now() + timedelta(days=30))
    assert client.get(f"/c/{credential.public_id}.pdf", HTTP_IF_NONE_MATCH=pdf["ETag"]).status_code == 200
    # a private credential's file is not answered with a 304 to a stranger who holds its ETag either
    actions.set_visibility(credential, False)
    assert client.get(f"/c/{credential.public_id}.pdf", HTTP_IF_NONE_MATCH=pdf["ETag"]).status_code == 404


def test_the_verification_report_is_computed_once_per_state(issue):
    credential = issue()
    first = views.cached_report(credential)
    assert views.cached_report(Credential.objects.get(pk=credential.pk)).checked_at == first.checked_at
    actions.revoke_credential(credential, reason="Issued in error")
    revoked = Credential.objects.get(pk=credential.pk)
    after = views.cached_report(revoked)
    # the list says "not valid" (one suspension entry, decision 0032); the page says why: revoked
    assert after.status == "suspended" and after.checked_at > first.checked_at
    assert views.page_state(revoked, after) == "revoked"


def test_an_unknown_id_writes_nothing_to_the_cache(client):
    for _ in range(2):
        assert client.get("/c/NoSuchCredential123").status_code == 404
    assert pagecache.generation("credential", "NoSuchCredential123", create=False) is None
