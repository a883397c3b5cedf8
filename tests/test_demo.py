import pytest

from credstack.credentials.models import Credential
from credstack.demo import seed_demo
from credstack.organizations.models import Organization


@pytest.mark.django_db
def test_demo_seeds_once():
    first = seed_demo()
    counts = (Organization.objects.count(), Credential.objects.count())
    second = seed_demo()
    assert (Organization.objects.count(), Credential.objects.count()) == counts
    assert counts[1] >= 5
    assert Organization.objects.get(slug="demo-academy").achievements.filter(slug="python-basics").exists()
    assert "admin" in first and first.splitlines()[1] == second.splitlines()[1]
    assert set(Credential.objects.values_list("state", flat=True)) == {"active", "revoked", "suspended"}


@pytest.mark.django_db
def test_the_demo_audit_log_shows_what_its_dashboard_shows():
    """Issue 14: the demo's dashboard showed revoked and suspended credentials, its audit log nothing."""
    from credstack.organizations.models import AuditEntry  # beside the test's other model reads

    seed_demo()
    org = Organization.objects.get(slug="demo-academy")
    done = set(AuditEntry.objects.filter(organization=org).values_list("action", "actor_kind"))
    assert {
        ("credential.issued", "cli"),
        ("credential.revoke", "cli"),
        ("credential.suspend", "cli"),
    } <= done
