"""Deep Linking: the instructor picks one of the organization's published courses; the signed answer
places it as an LTI resource link; the choice is used once."""

from __future__ import annotations

import re

import jwt
import pytest
from django.test import Client

from credstack.lti.models import LtiPlatform
from tests.courses.factory import make_course
from tests.lti.simulator import CLIENT_ID, ISSUER, start_login

pytestmark = pytest.mark.django_db

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
DL = "https://purl.imsglobal.org/spec/lti-dl/claim/"


def _deep_link_launch(platform, accept_types=("ltiResourceLink",)):
    auth = start_login(Client())
    token = platform.id_token(
        auth["nonce"],
        **{
            CLAIM + "message_type": "LtiDeepLinkingRequest",
            CLAIM + "resource_link": None,
            DL + "deep_linking_settings": {
                "deep_link_return_url": "https://lms.example/deep-link-return",
                "accept_types": list(accept_types),
                "accept_presentation_document_targets": ["iframe"],
            },
        },
    )
    return Client().post("/lti/launch", {"id_token": token, "state": auth["state"]})


def test_the_picker_lists_published_courses_and_the_answer_places_the_chosen_one(
    platform, org, achievement, client
):
    make_course(org, achievement, lessons=1, slug="sql-101", title="SQL Essentials")
    make_course(org, achievement, lessons=1, slug="draft-1", title="Unfinished", publish=False)
    picker = _deep_link_launch(platform)
    html = picker.content.decode()
    assert picker.status_code == 200 and "SQL Essentials" in html and "Python in Five Lessons" in html
    assert "Unfinished" not in html
    assert picker["Content-Security-Policy"].endswith(f"frame-ancestors 'self' {ISSUER}")
    action = re.search(r'action="(/lti/deep-link/[^"]+)"', html).group(1)
    sql = re.search(r'value="([^"]+)">\s*<b>SQL Essentials', html).group(1)

    assert Client().post(action, {"course": "nope"}).status_code == 400  # not a course: nothing sent
    answer = Client().post(action, {"course": sql})
    page = answer.content.decode()
    assert answer.status_code == 200 and 'action="https://lms.example/deep-link-return"' in page
    token = re.search(r'name="JWT" value="([^"]+)"', page).group(1)
    tool_keys = client.get("/lti/jwks").json()
    kid = jwt.get_unverified_header(token)["kid"]
    key = jwt.PyJWK(next(k for k in tool_keys["keys"] if k["kid"] == kid)).key
    claims = jwt.decode(token, key, algorithms=["RS256"], audience=ISSUER, issuer=CLIENT_ID)
    [item] = claims[DL + "content_items"]
    assert item["type"] == "ltiResourceLink" and item["custom"] == {"course": "sql-101"}
    assert item["title"] == "SQL Essentials" and item["url"] == LtiPlatform.objects.get().launch_url
    assert claims[CLAIM + "deployment_id"] == "deployment-1" and DL + "data" not in claims

    assert Client().post(action, {"course": sql}).status_code == 410  # once


def test_a_platform_that_takes_no_resource_links_is_told_so(platform):
    response = _deep_link_launch(platform, accept_types=("link",))
    assert response.status_code in (400, 401)
    assert "resource link" in response.content.decode().lower()
