"""The credential's public page: its state, what it shows (and hides when private), link previews."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from credstack.credentials import actions
from credstack.credentials.models import Credential

pytestmark = pytest.mark.django_db


def _state(client, credential) -> str:
    html = client.get(f"/c/{credential.public_id}").content.decode()
    return html.split('data-state="', 1)[1].split('"', 1)[0]


def test_each_state_is_unmistakable(client, issue):
    valid = issue()
    revoked = issue(email="r@example.org")
    actions.revoke_credential(revoked, reason="Issued in error")
    suspended = issue(email="s@example.org")
    actions.suspend_credential(suspended, reason="under review")
    expired = issue(email="e@example.org", valid_until=timezone.now() - timedelta(days=1))
    old, new = issue(email="o@example.org", name="Ada Lovelase"), issue(email="o@example.org")
    Credential.objects.filter(pk=old.pk).update(replaced_by=new)
    assert _state(client, valid) == "valid"
    assert _state(client, revoked) == "revoked"
    assert _state(client, suspended) == "suspended"
    assert _state(client, expired) == "expired"
    assert _state(client, old) == "replaced"
    html = client.get(f"/c/{old.public_id}").content.decode()
    assert "Replaced" in html and f'href="{new.uri}"' in html and "see the replacement" in html
    html = client.get(f"/c/{revoked.public_id}").content.decode()
    assert "Issued in error" in html and "Revoked by Acme Training" in html
    assert "under review" not in client.get(f"/c/{valid.public_id}").content.decode()


def test_page_has_link_preview_tags(client, issue):
    credential = issue(name="Grace Hopper")
    html = client.get(f"/c/{credential.public_id}").content.decode()
    # the card is the certificate itself, large (decision 0050)
    assert f'<meta property="og:image" content="{credential.uri}/og.png">' in html
    assert '<meta property="og:title" content="Python Basics — Grace Hopper">' in html
    assert '<meta name="twitter:card" content="summary_large_image">' in html
    assert f'<meta property="og:url" content="{credential.uri}">' in html
    assert client.get(f"/c/{credential.public_id}/og.png").status_code == 200


def test_page_shows_criteria_skills_dates_and_checks(client, issue):
    credential = issue()
    html = client.get(f"/c/{credential.public_id}").content.decode()
    for text in ("Pass every quiz.", "Programming", "Six lessons on Python.", "Issued", "Checks", "proof"):
        assert text in html


def test_private_credential_shows_nothing_personal_to_strangers(client, issue):
    credential = issue(name="Private Person", email="private@example.org")
    Credential.objects.filter(pk=credential.pk).update(is_public=False)
    page = client.get(f"/c/{credential.public_id}")
    html = page.content.decode()
    assert page.status_code == 200
    assert "Private Person" not in html and "private@example.org" not in html
    assert "This credential is private" in html
    assert "og:image" not in html and 'name="robots" content="noindex"' in html
    # the files carry the name: strangers get none of them
    for ext in ("json", "pdf", "png", "svg"):
        assert client.get(f"/c/{credential.public_id}.{ext}").status_code == 404
    assert client.get(f"/c/{credential.public_id}", HTTP_ACCEPT="application/vc+ld+json").status_code == 404
    # the OB 2.0 assertion carries the salted hash of the email: a guessed address could be confirmed
    assert client.get(f"/c/{credential.public_id}/ob2").status_code == 404


def test_private_credential_is_visible_to_its_holder(client, issue, portal_login):
    credential = issue(name="Private Person", email="Private@Example.org")
    Credential.objects.filter(pk=credential.pk).update(is_public=False)
    portal_login("private@example.org")
    html = client.get(f"/c/{credential.public_id}").content.decode()
    assert "Private Person" in html and "Private: only its holder" in html
    assert client.get(f"/c/{credential.public_id}.pdf").status_code == 200
    # another learner, signed in, is still a stranger
    other = Client()
    portal_login("someone-else@example.org", other)
    assert "Private Person" not in other.get(f"/c/{credential.public_id}").content.decode()
    assert other.get(f"/c/{credential.public_id}.pdf").status_code == 404


def test_a_private_credential_offers_its_holder_downloads_but_no_share_buttons(client, issue, portal_login):
    credential = issue(name="Private Person", email="private@example.org")
    Credential.objects.filter(pk=credential.pk).update(is_public=False)
    portal_login("private@example.org")
    html = client.get(f"/c/{credential.public_id}").content.decode()
    bar = html.split('id="actions"', 1)[1].split("</section>", 1)[0]
    assert f'href="{credential.uri}.pdf"' in bar and "Download badge" in bar
    assert "linkedin.com" not in html and "Copy link" not in html  # strangers would find nothing there
    assert "Make it public in your" in html
    # a stranger sees no actions at all
    assert 'id="actions"' not in Client().get(f"/c/{credential.public_id}").content.decode()


def test_state_changes_show_at_once_despite_the_report_cache(client, issue):
    credential = issue()
    assert _state(client, credential) == "valid"
    actions.suspend_credential(credential, reason="review")
    credential.refresh_from_db()
    assert _state(client, credential) == "suspended"
    actions.reinstate_credential(credential)
    assert _state(client, credential) == "valid"
    actions.revoke_credential(credential, reason="fraud")
    assert _state(client, credential) == "revoked"
