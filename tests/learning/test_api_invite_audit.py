"""Inviting a learner through the JSON API leaves the same audit row as the workspace, naming the API key."""

from __future__ import annotations

import pytest

from credstack.api.actions import create_api_key
from credstack.organizations.models import AuditEntry
from tests.api.conftest import ApiClient
from tests.courses.factory import make_course

pytestmark = pytest.mark.django_db


def test_an_api_invitation_is_audited_under_the_key_that_made_it(org, achievement):
    course = make_course(org, achievement)
    key = create_api_key(org, name="LMS sync", scope="issue")
    response = ApiClient(key.secret).post(
        f"/api/v1/courses/{course.slug}/enrolments", {"email": "lin@example.org", "name": "Lin"}
    )
    assert response.status_code == 201, response.content
    row = AuditEntry.objects.get(action="course.learners_invited")
    assert (row.actor_kind, row.target, row.detail) == ("api_key", course.public_id, "1 learner")
    assert row.actor_label.startswith("API key LMS sync") and row.actor is None
