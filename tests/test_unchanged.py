"""The "changes nothing" check sees a write to any table, not only the one a test thinks of."""

from __future__ import annotations

import pytest

from tests.unchanged import changes_nothing


def test_a_new_row_in_any_table_is_named(achievement):
    from credstack.achievements.actions import create_achievement

    with pytest.raises(AssertionError, match=r"achievements.achievement': '1 -> 2 rows'"):
        with changes_nothing():
            create_achievement(
                organization=achievement.organization,
                slug="another",
                name="Another",
                description="d",
                criteria_narrative="c",
            )


def test_a_changed_row_is_named(org):
    from credstack.organizations.models import Organization

    with pytest.raises(AssertionError, match=r"organizations\.organization': 'a row changed'"):
        with changes_nothing():
            Organization.objects.filter(pk=org.pk).update(name="Renamed")


def test_reads_change_nothing(org, issue):
    from credstack.credentials.models import Credential

    issue()
    with changes_nothing():
        assert Credential.objects.count() == 1
