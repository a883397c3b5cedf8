"""A NUL character (U+0000) anywhere in an API request is a 422 naming the field, never a 500 (PostgreSQL
cannot store one), and changes nothing."""

from __future__ import annotations

import pytest

from credstack.credentials.models import Credential
from credstack.integrations.models import InboundEndpoint
from tests.unchanged import changes_nothing

pytestmark = pytest.mark.django_db

RECIPIENT = {"name": "Ada", "email": "ada@example.org"}


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("/api/v1/credentials", {"achievement": "python\x00basics", "recipient": RECIPIENT}, "achievement"),
        (
            "/api/v1/credentials",
            {"achievement": "python-basics", "recipient": {"name": "A\x00da", "email": "a@example.org"}},
            "recipient.name",
        ),
        (
            "/api/v1/credentials",
            {"achievement": "python-basics", "recipient": RECIPIENT, "result": [{"value": "9\x002"}]},
            "result.0.value",
        ),
        (
            "/api/v1/inbound/endpoints",
            {"name": "x", "preset": "generic", "achievement": "a\x00b"},
            "achievement",
        ),
        (
            "/api/v1/inbound/endpoints",
            {"name": "x", "achievement": "python-basics", "mapping": {"email\x00": "e"}},
            "mapping.email\\u0000",
        ),
    ],
)
def test_nul_in_a_body_names_the_field(api_for, org, achievement, path, body, field):
    client = api_for(org, "admin")
    with changes_nothing():
        response = client.post(path, body)
    assert response.status_code == 422, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["errors"] == [
        {"field": field, "message": "contains a NUL character (U+0000), which is not accepted"}
    ]
    assert not Credential.objects.exists() and not InboundEndpoint.objects.exists()


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/api/v1/achievements/python%00basics", "(path)"),
        ("/api/v1/credentials?q=ad%00a", "q"),
        ("/api/v1/credentials/abc%00", "(path)"),
    ],
)
def test_nul_in_a_path_or_query_is_refused(api_for, org, achievement, path, field):
    response = api_for(org, "read").get(path)
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == field


def test_ordinary_requests_pass(api_for, org, achievement):
    response = api_for(org, "issue").post(
        "/api/v1/credentials", {"achievement": "python-basics", "recipient": RECIPIENT}
    )
    assert response.status_code == 201


@pytest.mark.parametrize(
    "path", ["/c/%00", "/c/%00.pdf", "/a/x%00/ob2", "/orgs/a%00/did.json", "/status/%00/revocation"]
)
def test_a_nul_in_a_pages_path_is_a_400_on_every_database(client, db, path):
    """Found by the fuzz run on PostgreSQL, which refuses a NUL even in a lookup: a 500 before."""
    response = client.get(path)
    assert response.status_code == 400 and b"NUL character" in response.content
