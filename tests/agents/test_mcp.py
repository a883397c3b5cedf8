"""The MCP server, driven by the MCP SDK's own client: the same keys, scopes, tenancy and audit as the API."""

from __future__ import annotations

import asyncio
import json
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.utils import timezone
from mcp import Client

from credstack.agents.server import build_server
from credstack.credentials.models import Credential
from credstack.organizations.models import AuditEntry

# The SDK runs each (synchronous) tool in a worker thread with its own database connection: the rows the
# test makes must be committed for those threads to see them.
pytestmark = pytest.mark.django_db(transaction=True)


def run(coroutine):
    """The coroutine on a thread of its own: a browser test earlier in this process may have left an event
    loop running on the test thread."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def key(org, scope="issue") -> str:
    from credstack.api.actions import create_api_key

    return create_api_key(org, name=f"agent {scope}", scope=scope).secret


def call(secret: str, tool: str, arguments: dict | None = None):
    async def go():
        async with Client(build_server(secret)) as client:
            return await client.call_tool(tool, arguments or {})

    return run(go())


def data(result):
    assert not result.is_error, result.content
    if result.structured_content is not None:
        content = result.structured_content
        return content.get("result", content)
    return json.loads(result.content[0].text)


def test_an_agent_sees_the_tools_with_their_descriptions(org):
    secret = key(org)

    async def go():
        async with Client(build_server(secret)) as client:
            return await client.list_tools()

    tools = {t.name: t for t in run(go()).tools}
    assert set(tools) == {
        "list_achievements",
        "search_credentials",
        "issue_credential",
        "revoke_credential",
        "issuance_report",
    }
    assert tools["search_credentials"].annotations.read_only_hint is True
    assert "Final" in tools["revoke_credential"].description
    assert "recipient_email" in tools["issue_credential"].input_schema["properties"]


def test_issue_search_revoke_and_report_through_mcp_as_the_api_would(org, achievement):
    secret = key(org, "issue")
    issued = data(
        call(
            secret,
            "issue_credential",
            {
                "achievement": "python-basics",
                "recipient_name": "Tomás Ñúñez",
                "recipient_email": "tomas@example.org",
            },
        )
    )
    assert issued["recipient"]["name"] == "Tomás Ñúñez" and issued["state"] == "active"
    assert issued["credential"]["proof"]  # the signed Open Badges credential, as the API returns it
    found = data(call(secret, "search_credentials", {"query": "ñúñez"}))
    assert [c["id"] for c in found] == [issued["id"]]
    revoked = data(
        call(secret, "revoke_credential", {"credential_id": issued["url"], "reason": "issued in error"})
    )
    assert revoked["state"] == "revoked" and revoked["revocation_reason"] == "issued in error"
    lapsed = data(
        call(
            secret,
            "issue_credential",
            {
                "achievement": "python-basics",
                "recipient_name": "Grace Hopper",
                "recipient_email": "grace@example.org",
                "valid_until": "2030-01-01T00:00:00Z",
            },
        )
    )
    Credential.objects.filter(public_id=lapsed["id"]).update(valid_until=timezone.now() - timedelta(days=1))
    report = data(call(secret, "issuance_report", {"days": 7}))
    [row] = report["achievements"]
    assert (row["issued_total"], row["revoked"], row["expired"], row["active"]) == (2, 1, 1, 0)
    assert report["issued_last_days"] == 2
    actors = set(AuditEntry.objects.filter(target=issued["id"]).values_list("actor_label", flat=True))
    assert actors and all("API key agent issue" in a for a in actors)


def test_a_read_key_cannot_issue_or_revoke(org, achievement, issue):
    credential = issue()
    secret = key(org, "read")
    refused = call(
        secret,
        "issue_credential",
        {"achievement": "python-basics", "recipient_name": "X", "recipient_email": "x@example.org"},
    )
    assert refused.is_error and "needs 'issue'" in refused.content[0].text
    refused = call(secret, "revoke_credential", {"credential_id": credential.public_id, "reason": "no"})
    assert refused.is_error
    credential.refresh_from_db()
    assert credential.state == "active"
    assert data(call(secret, "list_achievements"))[0]["slug"] == "python-basics"


def test_another_organizations_credentials_are_not_found(org, achievement, issue):
    from credstack.organizations.actions import create_organization

    theirs = issue()
    other = create_organization(slug="rival", name="Rival College")
    secret = key(other, "admin")
    assert data(call(secret, "search_credentials", {"query": theirs.public_id})) == []
    refused = call(secret, "revoke_credential", {"credential_id": theirs.public_id, "reason": "mine now"})
    assert refused.is_error and "not found in this organization" in refused.content[0].text
    theirs.refresh_from_db()
    assert theirs.state == "active"


def test_a_revoked_key_stops_at_the_next_call(org, achievement):
    from credstack.api.actions import create_api_key, revoke_api_key

    made = create_api_key(org, name="agent", scope="read")

    async def go():
        async with Client(build_server(made.secret)) as client:
            first = await client.call_tool("list_achievements", {})
            await asyncio.to_thread(revoke_api_key, made.api_key)
            second = await client.call_tool("list_achievements", {})
            return first, second

    first, second = run(go())
    assert not first.is_error
    assert second.is_error and "not valid" in second.content[0].text


def test_bad_input_says_which_field_and_issues_nothing(org, achievement):
    secret = key(org, "issue")
    bad = call(
        secret,
        "issue_credential",
        {"achievement": "python-basics", "recipient_name": "Ada", "recipient_email": "not-an-email"},
    )
    assert bad.is_error and "recipient_email" in bad.content[0].text
    late = call(
        secret,
        "issue_credential",
        {
            "achievement": "python-basics",
            "recipient_name": "Ada",
            "recipient_email": "a@example.org",
            "valid_until": "next year",
        },
    )
    assert late.is_error and "valid_until" in late.content[0].text
    assert not Credential.objects.exists()
