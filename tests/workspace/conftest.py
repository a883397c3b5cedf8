"""Fixtures for the issuer workspace: people with a role in an organization, signed in."""

from __future__ import annotations

import pytest


def make_user(email: str, password: str = "correct horse battery staple"):  # noqa: S107
    from allauth.account.models import EmailAddress
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user(
        username=email.split("@")[0] + "-" + str(abs(hash(email)))[:6], email=email, password=password
    )
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


@pytest.fixture
def member(org):
    """member(role, organization=org) -> a user with that role."""
    from credstack.organizations.models import Membership

    def _member(role: str, organization=None, email: str | None = None):
        organization = organization or org
        user = make_user(email or f"{role}-{organization.slug}@example.org")
        Membership.objects.create(organization=organization, user=user, role=role)
        return user

    return _member


@pytest.fixture
def signed_in(client, member):
    """signed_in(role) -> a Django test client signed in as a member with that role."""

    def _signed_in(role: str = "owner", organization=None):
        user = member(role, organization)
        client.force_login(user)
        client.user = user
        return client

    return _signed_in


@pytest.fixture
def other_org(db):
    from credstack.achievements.actions import create_achievement
    from credstack.organizations.actions import create_organization

    other = create_organization(slug="globex", name="Globex Academy")
    create_achievement(
        organization=other, slug="secret", name="Secret Course", description="x", criteria_narrative="y"
    )
    return other


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):
    """with run_on_commit(): ... runs the on-commit callbacks (tasks) queued inside, as a commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)
