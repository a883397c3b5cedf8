"""The Developers page: API keys made, shown once, listed by prefix, revoked — and the API agrees."""

from __future__ import annotations

import re

import pytest

from credstack.api.actions import create_api_key
from credstack.api.models import ApiKey
from credstack.organizations.models import AuditEntry
from tests.api.conftest import ApiClient
from tests.workspace.conftest import make_user

pytestmark = pytest.mark.django_db

KEY = re.compile(r"csk_[0-9a-f]{12}_[A-Za-z0-9_-]{40,}")


@pytest.fixture
def signed_in(client, org):
    from credstack.organizations.models import Membership

    def _signed_in(role="admin", organization=None):
        organization = organization or org
        user = make_user(f"{role}-{organization.slug}@example.org")
        Membership.objects.create(organization=organization, user=user, role=role)
        client.force_login(user)
        client.user = user
        return client

    return _signed_in


def _form_token(client, org) -> str:
    page = client.get(f"/w/{org.slug}/developers/").content.decode()
    return re.search(r'name="form_token" value="([^"]+)"', page).group(1)


def _create(client, org, name="Moodle sync", scope="issue", token=None):
    token = token or _form_token(client, org)
    client.last_token = token
    return client.post(
        f"/w/{org.slug}/developers/keys/new", {"name": name, "scope": scope, "form_token": token}
    )


@pytest.mark.parametrize("role", ["viewer", "issuer"])
def test_viewers_and_issuers_cannot_see_or_use_the_developer_pages(signed_in, org, role):
    client = signed_in(role)
    key = create_api_key(org, name="existing", scope="admin").api_key
    assert client.get(f"/w/{org.slug}/developers/").status_code == 403
    assert _create(client, org, token="x").status_code == 403
    assert client.post(f"/w/{org.slug}/developers/keys/{key.prefix}/revoke").status_code == 403
    assert client.get(f"/w/{org.slug}/developers/webhooks/new").status_code == 403
    assert ApiKey.objects.count() == 1 and ApiKey.objects.get().revoked_at is None
    dashboard = client.get(f"/w/{org.slug}/").content.decode()
    assert "/developers/" not in dashboard  # not in their sidebar either


def test_admins_find_the_page_in_the_sidebar(signed_in, org):
    client = signed_in("admin")
    dashboard = client.get(f"/w/{org.slug}/").content.decode()
    assert f'href="/w/{org.slug}/developers/">Developers</a>' in dashboard
    page = client.get(f"/w/{org.slug}/developers/").content.decode()
    assert 'href="/api/v1/docs"' in page
    assert "API keys" in page and "Outbound webhooks" in page


def test_another_organizations_keys_are_out_of_reach(signed_in, org, other_org):
    client = signed_in("owner")
    theirs = create_api_key(other_org["org"], name="theirs", scope="admin").api_key
    assert client.post(f"/w/{org.slug}/developers/keys/{theirs.prefix}/revoke").status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None
    assert "theirs" not in client.get(f"/w/{org.slug}/developers/").content.decode()
    assert client.get(f"/w/{other_org['org'].slug}/developers/").status_code == 404  # not a member


def test_the_key_is_shown_once_then_only_its_prefix(signed_in, org):
    client = signed_in("admin")
    response = _create(client, org)
    assert response.status_code == 200
    html = response.content.decode()
    secret = KEY.search(html).group(0)
    assert "you will not see it again" in html
    assert "no-store" in response["Cache-Control"]
    key = ApiKey.objects.get()
    assert (key.name, key.scope, key.created_by) == ("Moodle sync", "issue", client.user)
    assert key.secret_hash == ApiKey.hash(secret) and secret not in str(key.__dict__)
    assert AuditEntry.objects.filter(organization=org, action="apikey.created").count() == 1

    listing = client.get(f"/w/{org.slug}/developers/").content.decode()
    assert secret not in listing and not KEY.search(listing)
    assert f"csk_{key.prefix}_…" in listing
    assert "never" in listing  # not used yet

    # the browser re-sends the form (reload): no second key, and the secret is not shown again
    again = _create(client, org, token=client.last_token)
    assert again.status_code == 302 and ApiKey.objects.count() == 1
    assert secret not in client.get(again["Location"]).content.decode()


def test_a_key_made_in_the_ui_works_with_its_scope_until_revoked(signed_in, org, achievement):
    client = signed_in("admin")
    secret = KEY.search(_create(client, org, name="Website", scope="read").content.decode()).group(0)
    api = ApiClient(secret)
    response = api.get("/api/v1/achievements")
    assert response.status_code == 200 and "Python Basics" in response.content.decode()
    assert api.get("/api/v1/webhooks/endpoints").status_code == 403  # read, not admin
    key = ApiKey.objects.get()
    listing = client.get(f"/w/{org.slug}/developers/").content.decode()
    row = listing[listing.index(f'id="key-{key.prefix}"') :]
    assert "just now" in row[: row.index("</tr>")]

    response = client.post(f"/w/{org.slug}/developers/keys/{key.prefix}/revoke", follow=True)
    assert "revoked: requests with it are refused" in response.content.decode()
    key.refresh_from_db()
    assert key.revoked_at is not None
    assert AuditEntry.objects.filter(action="apikey.revoked", target=f"csk_{key.prefix}_…").exists()
    refused = api.get("/api/v1/achievements")
    assert refused.status_code == 401
    listing = client.get(f"/w/{org.slug}/developers/").content.decode()
    row = listing[listing.index(f'id="key-{key.prefix}"') :]
    assert "revoked" in row[: row.index("</tr>")] and "Revoke" not in row[: row.index("</tr>")]


def test_a_key_needs_a_name_and_a_known_scope(signed_in, org):
    client = signed_in("admin")
    response = _create(client, org, name=" ", scope="root")
    assert response.status_code == 422
    html = response.content.decode()
    assert "Give the key a name" in html and "Choose what the key may do" in html
    assert not ApiKey.objects.exists()
    for scope in ("read", "issue", "admin"):  # each scope is explained on the form
        assert f'id="scope-{scope}"' in html
    assert "Also manage webhook endpoints" in html


def test_key_errors_are_in_the_users_language(signed_in, org):
    """Issue 17: the form's errors come from the action, in the language the admin chose."""
    client = signed_in("admin")
    assert client.post("/w/language", {"language": "de"}).status_code == 302
    response = _create(client, org, name=" ", scope="root")
    html = response.content.decode()
    assert response.status_code == 422
    assert "Geben Sie dem Schlüssel einen Namen" in html and "Wählen Sie, was der Schlüssel darf" in html
    assert "Give the key a name" not in html
