from __future__ import annotations

import pytest


@pytest.fixture
def org(db):
    from credstack.organizations.actions import create_organization

    return create_organization(
        slug="acme", name="Acme Training", url="https://acme.example", email="certs@acme.example"
    )


@pytest.fixture
def achievement(org):
    from credstack.achievements.actions import create_achievement

    return create_achievement(
        organization=org,
        slug="python-basics",
        name="Python Basics",
        description="Six lessons on Python.",
        criteria_narrative="Pass every quiz.",
        tags=["python"],
        alignments=[{"name": "Programming", "url": "https://example.org/s"}],
    )


@pytest.fixture
def issue(achievement):
    """Issue a credential through the one pipeline."""
    from credstack.credentials.actions import issue_credential

    def _issue(name="Ada Lovelace", email="ada@example.org", **kw):
        return issue_credential(
            achievement=kw.pop("achievement", achievement), recipient_name=name, recipient_email=email, **kw
        )

    return _issue
