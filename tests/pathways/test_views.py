"""Pathway pages in the workspace."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from credstack.achievements.actions import create_achievement
from credstack.credentials.actions import issue_credential
from credstack.organizations.actions import create_organization
from credstack.organizations.models import Membership
from credstack.pathways.models import Pathway

pytestmark = pytest.mark.django_db


def _a(org, slug):
    return create_achievement(
        organization=org, slug=slug, name=slug.title(), description="d", criteria_narrative="c"
    )


def test_admin_creates_an_ordered_pathway_and_sees_who_is_one_step_away(client, org):
    units = [_a(org, f"unit-{n}") for n in (1, 2, 3)]
    stack = _a(org, "stack")
    for unit in units[:2]:
        issue_credential(achievement=unit, recipient_name="Ada", recipient_email="ada@example.org")
    user = get_user_model().objects.create_user("adm", "adm@acme.example", "pw-long-enough-123")
    Membership.objects.create(organization=org, user=user, role="admin")
    client.force_login(user)
    response = client.post(
        f"/w/{org.slug}/pathways/new",
        {
            "achievement": stack.pk,
            "components": [u.pk for u in units],
            "order": "unit-3\nunit-1\nunit-2",
            "rule": "n_of_m",
            "required_count": 4,
            "revocation_policy": "keep",
        },
    )
    assert "N is 4 but there are only 3 components" in response.content.decode()
    response = client.post(
        f"/w/{org.slug}/pathways/new",
        {
            "achievement": stack.pk,
            "components": [u.pk for u in units],
            "order": "unit-3\nunit-1\nunit-2",
            "rule": "all",
            "ordered": "on",
            "revocation_policy": "keep",
        },
        follow=True,
    )
    pathway = Pathway.objects.get()
    assert [c.achievement.slug for c in pathway.components.all()] == ["unit-3", "unit-1", "unit-2"]
    page = response.content.decode()
    assert "one step away" in page and "ada@example.org" in page
    other = create_organization(slug="rival", name="Rival")
    user2 = get_user_model().objects.create_user("riv", "riv@rival.example", "pw-long-enough-123")
    Membership.objects.create(organization=other, user=user2, role="owner")
    client.force_login(user2)
    assert client.get(f"/w/{org.slug}/pathways/{pathway.public_id}/").status_code == 404
    assert client.get(f"/w/rival/pathways/{pathway.public_id}/").status_code == 404
