"""Roles and tenants, declaratively: every workspace endpoint with the least role it needs.

For each endpoint and each role, a member with a smaller role gets 403 and changes nothing; a member with
enough role succeeds; a member of another organization gets 404; a stranger is sent to sign in. Another
organization's object ids under our own organization's URL give 404.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

from credstack.organizations.models import ROLE_RANK, Role

ROLES = [Role.VIEWER, Role.ISSUER, Role.ADMIN, Role.OWNER]


@dataclass
class Endpoint:
    name: str
    path: str  # formatted with slug, credential, achievement, design, job
    role: str
    method: str = "get"
    data: Callable[[dict], dict] | dict = field(default_factory=dict)
    ok: tuple = (200, 302)

    def url(self, ctx):
        return self.path.format(**ctx)

    def payload(self, ctx) -> dict[str, Any]:
        return self.data(ctx) if callable(self.data) else dict(self.data)


ENDPOINTS = [
    Endpoint("dashboard", "/w/{slug}/", Role.VIEWER),
    Endpoint("credentials", "/w/{slug}/credentials/", Role.VIEWER),
    Endpoint("credentials csv", "/w/{slug}/credentials.csv", Role.VIEWER),
    Endpoint("credential", "/w/{slug}/credentials/{credential}/", Role.VIEWER),
    Endpoint("achievements", "/w/{slug}/achievements/", Role.VIEWER),
    Endpoint("achievement", "/w/{slug}/achievements/{achievement}/", Role.VIEWER),
    Endpoint("designs", "/w/{slug}/designs/", Role.VIEWER),
    Endpoint("design", "/w/{slug}/designs/{design}/", Role.VIEWER),
    Endpoint("audit", "/w/{slug}/audit/", Role.VIEWER),
    Endpoint("audit csv", "/w/{slug}/audit.csv", Role.VIEWER),
    Endpoint("analytics", "/w/{slug}/analytics/", Role.VIEWER),
    Endpoint("analytics csv", "/w/{slug}/analytics.csv", Role.VIEWER),
    Endpoint("members", "/w/{slug}/members", Role.VIEWER),
    Endpoint("bulk job", "/w/{slug}/bulk/{job}/", Role.VIEWER),
    Endpoint("issue form", "/w/{slug}/issue", Role.ISSUER),
    Endpoint("bulk form", "/w/{slug}/bulk/", Role.ISSUER),
    Endpoint(
        "issue one",
        "/w/{slug}/issue",
        Role.ISSUER,
        "post",
        lambda c: {
            "achievement": c["achievement"],
            "recipient_name": "Zoë Role",
            "recipient_email": "zoe@example.org",
        },
        (302,),
    ),
    Endpoint(
        "suspend",
        "/w/{slug}/credentials/{credential}/suspend",
        Role.ISSUER,
        "post",
        {"reason": "check"},
        (302,),
    ),
    Endpoint("resend", "/w/{slug}/credentials/{credential}/resend", Role.ISSUER, "post", {}, (302,)),
    Endpoint("bulk resume", "/w/{slug}/bulk/{job}/resume", Role.ISSUER, "post", {}, (302,)),
    Endpoint("bulk results", "/w/{slug}/bulk/{job}/results.csv", Role.VIEWER),
    Endpoint(
        "correct",
        "/w/{slug}/credentials/{credential}/correct",
        Role.ISSUER,
        "post",
        {"recipient_name": "New Name", "reason": "typo"},
        (302,),
    ),
    Endpoint(
        "design preview",
        "/w/{slug}/designs/{design}/preview",
        Role.VIEWER,
        "post",
        {"template": "minimal"},
        (200,),
    ),
    Endpoint("new achievement form", "/w/{slug}/achievements/new", Role.ADMIN),
    Endpoint("edit achievement form", "/w/{slug}/achievements/{achievement}/edit", Role.ADMIN),
    Endpoint("settings", "/w/{slug}/settings", Role.ADMIN),
    Endpoint("new design", "/w/{slug}/designs/new", Role.ADMIN, "post", {"template": "modern"}, (302,)),
    Endpoint(
        "save design",
        "/w/{slug}/designs/{design}/",
        Role.ADMIN,
        "post",
        {"heading": "Diploma", "template": "classic"},
        (302,),
    ),
    Endpoint(
        "invite",
        "/w/{slug}/members",
        Role.ADMIN,
        "post",
        {"email": "new@example.org", "role": "viewer"},
        (302,),
    ),
]


@pytest.fixture
def ctx(org, achievement, issue):
    from credstack.designs.actions import create_design
    from credstack.designs.editor import DEFAULTS, build
    from credstack.workspace.bulk import prepare_job

    credential = issue()
    design = create_design(org, name="Main", data=build(DEFAULTS))
    job = prepare_job(
        organization=org,
        achievement=achievement,
        filename="a.csv",
        data=b"name,email\nA,a@example.org\n",
        kind="text/csv",
    )
    return {
        "slug": org.slug,
        "credential": credential.public_id,
        "achievement": achievement.public_id,
        "design": design.public_id,
        "job": job.public_id,
    }


def _call(client, ep: Endpoint, ctx):
    return getattr(client, ep.method)(ep.url(ctx), ep.payload(ctx))


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("ep", ENDPOINTS, ids=lambda e: e.name)
def test_each_role_can_do_exactly_what_it_should(ep, role, ctx, signed_in):
    from credstack.credentials.models import Credential

    client = signed_in(role)
    before = Credential.objects.count()
    response = _call(client, ep, ctx)
    if ROLE_RANK[role] >= ROLE_RANK[ep.role]:
        assert response.status_code in ep.ok, (ep.name, role, response.status_code)
    else:
        assert response.status_code == 403, (ep.name, role, response.status_code)
        assert Credential.objects.count() == before
        assert Credential.objects.filter(state="suspended").count() == 0


@pytest.mark.parametrize("ep", ENDPOINTS, ids=lambda e: e.name)
def test_another_organizations_member_gets_404(ep, ctx, other_org, signed_in):
    from credstack.credentials.models import Credential

    client = signed_in(Role.OWNER, other_org)
    before = Credential.objects.count()
    assert _call(client, ep, ctx).status_code == 404
    assert Credential.objects.count() == before


@pytest.mark.parametrize("ep", ENDPOINTS, ids=lambda e: e.name)
def test_a_stranger_is_sent_to_sign_in(ep, ctx, client):
    response = _call(client, ep, ctx)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_other_organizations_ids_under_our_url_give_404(ctx, other_org, signed_in):
    from credstack.credentials.actions import issue_credential
    from credstack.designs.actions import create_design
    from credstack.designs.editor import DEFAULTS, build

    theirs = other_org.achievements.get()
    their_credential = issue_credential(
        achievement=theirs, recipient_name="Eve", recipient_email="eve@example.org"
    )
    their_design = create_design(other_org, name="Theirs", data=build(DEFAULTS))
    client = signed_in(Role.OWNER)
    slug = ctx["slug"]
    for url in (
        f"/w/{slug}/credentials/{their_credential.public_id}/",
        f"/w/{slug}/achievements/{theirs.public_id}/",
        f"/w/{slug}/achievements/{theirs.public_id}/edit",
        f"/w/{slug}/designs/{their_design.public_id}/",
        f"/w/{slug}/designs/{their_design.public_id}/thumb.png",
    ):
        assert client.get(url).status_code == 404, url
    assert (
        client.post(f"/w/{slug}/credentials/{their_credential.public_id}/revoke", {"reason": "x"}).status_code
        == 404
    )
    # issuing their achievement from our form is refused
    r = client.post(
        f"/w/{slug}/issue",
        {"achievement": theirs.public_id, "recipient_name": "X", "recipient_email": "x@example.org"},
    )
    assert (
        r.status_code == 200 and "choose one of your achievements" in r.content.decode().lower()
    ) or "Select a valid choice" in r.content.decode()
    # bulk actions on their ids change nothing
    client.post(
        f"/w/{slug}/credentials/bulk-action",
        {"action": "revoke", "reason": "x", "ids": [their_credential.public_id]},
    )
    their_credential.refresh_from_db()
    assert their_credential.state == "active"
    # the org switcher never lists their organization
    assert "Globex" not in client.get(f"/w/{slug}/").content.decode()


def test_owner_role_rules(org, signed_in, member):
    from credstack.organizations.models import Membership

    admin_client = signed_in(Role.ADMIN)
    owner = member(Role.OWNER, email="boss@example.org")
    owner_m = Membership.objects.get(user=owner)
    # an admin cannot demote or remove an owner, nor make someone owner
    assert admin_client.post(f"/w/{org.slug}/members/{owner_m.id}", {"action": "remove"}).status_code == 403
    viewer = member(Role.VIEWER, email="v@example.org")
    vm = Membership.objects.get(user=viewer)
    assert (
        admin_client.post(f"/w/{org.slug}/members/{vm.id}", {"action": "role", "role": "owner"}).status_code
        == 403
    )
    assert (
        admin_client.post(f"/w/{org.slug}/members/{vm.id}", {"action": "role", "role": "issuer"}).status_code
        == 302
    )
    vm.refresh_from_db()
    assert vm.role == "issuer"
