"""Issue 14: the audit log had no filter and its targets were raw ids."""

from __future__ import annotations

from credstack.credentials.actions import revoke_credential
from credstack.organizations.actions import update_organization_settings
from credstack.organizations.actors import Actor


def test_the_audit_log_filters_by_what_and_who_and_names_its_credentials(signed_in, org, issue):
    client = signed_in("admin")
    ada = issue(actor=client.user)
    revoke_credential(ada, reason="issued in error", actor=Actor.command_line())
    update_organization_settings(org, {"name": "Acme Training Ltd"}, None, Actor.for_user(client.user))

    page = client.get("/w/acme/audit/").text
    assert f'href="/w/acme/credentials/{ada.public_id}/"' in page
    assert "Ada Lovelace</bdi></a> · Python Basics" in page
    assert '<option value="credential.revoke">' in page

    revoked = client.get("/w/acme/audit/", {"action": "credential.revoke"}).text
    assert "issued in error" in revoked and "organization.updated" not in revoked.split("</select>", 1)[1]

    mine = client.get("/w/acme/audit/", {"who": client.user.email[:6]}).text.split("</select>", 1)[1]
    assert "organization.updated" in mine and "credential.revoke" not in mine

    nothing = client.get("/w/acme/audit/", {"who": "nobody-like-this"}).text
    assert "Nothing matches this filter." in nothing and "Show everything" in nothing
