"""Outbound webhook endpoints over the API: turning one off says when, and why."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_an_endpoint_turned_off_says_when_and_why(api_for, org, settings):
    settings.CREDSTACK_WEBHOOKS_ALLOW_PRIVATE = True
    client = api_for(org, "admin")
    created = client.post("/api/v1/webhooks/endpoints", {"url": "http://127.0.0.1:9/hook"})
    assert created.status_code == 201, created.content
    assert created.json()["disabled_at"] is None and created.json()["enabled"] is True
    endpoint = created.json()["id"]
    off = client.request("PATCH", f"/api/v1/webhooks/endpoints/{endpoint}", {"enabled": False})
    assert off.status_code == 200, off.content
    assert off.json()["enabled"] is False and off.json()["disabled_at"]
    assert off.json()["disabled_reason"] == "disabled by an administrator"
    on = client.request("PATCH", f"/api/v1/webhooks/endpoints/{endpoint}", {"enabled": True})
    assert on.json()["enabled"] is True and on.json()["disabled_at"] is None
