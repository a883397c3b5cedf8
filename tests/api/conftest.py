from __future__ import annotations

import json

import pytest
from django.test import Client


class ApiClient:
    """A test client that sends an organization's API key."""

    def __init__(self, token: str):
        self.token = token
        self.client = Client()

    def _headers(self, headers):
        return {"Authorization": f"Bearer {self.token}", **(headers or {})}

    def get(self, path, headers=None, **params):
        return self.client.get(path, params, headers=self._headers(headers))

    def post(self, path, body=None, headers=None):
        return self.request("POST", path, body, headers)

    def request(self, method, path, body=None, headers=None):
        data = json.dumps(body if body is not None else {})
        return self.client.generic(
            method, path, data, content_type="application/json", headers=self._headers(headers)
        )


@pytest.fixture
def api_for(db):
    from credstack.api.actions import create_api_key

    def make(org, scope="admin") -> ApiClient:
        return ApiClient(create_api_key(org, name=f"test {scope}", scope=scope).secret)

    return make


@pytest.fixture
def other_org(db):
    from credstack.achievements.actions import create_achievement
    from credstack.credentials.actions import issue_credential
    from credstack.organizations.actions import create_organization

    org = create_organization(slug="rival", name="Rival College")
    achievement = create_achievement(
        organization=org, slug="python-basics", name="Rival Python", description="d", criteria_narrative="c"
    )
    credential = issue_credential(
        achievement=achievement, recipient_name="Eve", recipient_email="eve@example.org"
    )
    return {"org": org, "achievement": achievement, "credential": credential}
