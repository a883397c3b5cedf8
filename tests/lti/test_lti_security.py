"""The launch as a browser makes it across sites: no session cookie carried, state and nonce kept on the
server and used once, the 1EdTech audience rule, framing allowed to the registered platform only."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from credstack.learning.models import Learner
from credstack.lti.models import LtiGradeTarget
from tests.lti.simulator import CLIENT_ID, ISSUER, start_login

pytestmark = pytest.mark.django_db


def _post_launch(browser: Client, platform, auth: dict, **claims):
    return browser.post(
        "/lti/launch", {"id_token": platform.id_token(auth["nonce"], **claims), "state": auth["state"]}
    )


def test_the_launch_needs_no_cookie_from_the_login(platform):
    """A cross-site form POST carries no SameSite=Lax cookie: the launch arrives without any."""
    auth = start_login(Client())
    launched = _post_launch(Client(), platform, auth)  # another cookie jar: nothing from the login
    assert launched.status_code == 302 and launched["Location"].endswith("/learn/acme/python-101")


def test_a_state_and_its_nonce_are_used_once(platform):
    auth = start_login(Client())
    assert _post_launch(Client(), platform, auth).status_code == 302
    replay = _post_launch(Client(), platform, auth)  # same state, same nonce, a fresh token
    assert replay.status_code == 401 and "State not found" in replay.content.decode()
    other = start_login(Client())
    # a token carrying the first login's nonce, posted with another login's state
    wrong = Client().post(
        "/lti/launch", {"id_token": platform.id_token(auth["nonce"]), "state": other["state"]}
    )
    assert wrong.status_code == 401 and "Invalid Nonce" in wrong.content.decode()
    assert Learner.objects.count() == 1


@pytest.mark.parametrize(
    "claims, accepted",
    [
        ({"aud": [CLIENT_ID, "other"]}, False),  # several audiences, no azp
        ({"aud": [CLIENT_ID, "other"], "azp": "other"}, False),  # azp is not the tool
        ({"aud": [CLIENT_ID], "azp": "someone-else"}, False),  # azp not among the audiences
        ({"aud": ["other"]}, False),
        ({"aud": [CLIENT_ID, "other"], "azp": CLIENT_ID}, True),
        ({"aud": [CLIENT_ID]}, True),
    ],
)
def test_the_audience_rule_of_the_security_framework(platform, claims, accepted):
    response = _post_launch(Client(), platform, start_login(Client()), **claims)
    assert response.status_code == (302 if accepted else 401), response.content.decode()[:300]
    assert Learner.objects.exists() is accepted
    assert LtiGradeTarget.objects.exists() is accepted


def test_lti_pages_are_framable_by_the_platform_only(platform, client):
    refused = _post_launch(Client(), platform, start_login(Client()), aud=[CLIENT_ID, "x"])
    assert "X-Frame-Options" not in refused
    assert refused["Content-Security-Policy"].endswith(f"frame-ancestors 'self' {ISSUER}")
    browser = Client()
    framed = browser.post(
        "/lti/launch",
        {
            "id_token": platform.id_token(
                (auth := start_login(Client()))["nonce"],
                **{
                    "https://purl.imsglobal.org/spec/lti/claim/launch_presentation": {
                        "return_url": "https://school.lms.example/course/7"
                    }
                },
            ),
            "state": auth["state"],
        },
        headers={"Sec-Fetch-Dest": "iframe"},
    )
    assert framed.status_code == 200 and "X-Frame-Options" not in framed
    policy = framed["Content-Security-Policy"]
    assert "script-src 'self' 'nonce-" in policy  # the site's policy, with the platform's origins added
    assert policy.endswith(f"frame-ancestors 'self' {ISSUER} https://school.lms.example")
    # every other page keeps DENY
    assert client.get("/")["X-Frame-Options"] == "DENY"
    assert "frame-ancestors" not in client.get("/").get("Content-Security-Policy", "")


def test_a_launch_inside_a_frame_opens_the_player_in_its_own_tab(platform):
    """In the LMS's iframe a Lax session cookie cannot be set: the frame shows the course, and its link
    signs the learner in once, in a tab of its own."""
    framed = Client()
    page = _post_launch_in_frame(framed, platform)
    html = page.content.decode()
    assert "Python in Five Lessons" in html and "Open the course" in html
    assert "portal_account" not in framed.session
    ticket_url = re.search(r'href="(/lti/open/[^"]+)"', html).group(1)
    tab = Client()
    opened = tab.get(ticket_url)
    assert opened.status_code == 302 and opened["Location"].endswith("/learn/acme/python-101")
    assert tab.get(opened["Location"]).status_code == 200
    assert tab.session["portal_assurance"] == "lti"
    assert Client().get(ticket_url).status_code == 410  # once


def _post_launch_in_frame(browser: Client, platform):
    auth = start_login(Client())
    return browser.post(
        "/lti/launch",
        {"id_token": platform.id_token(auth["nonce"]), "state": auth["state"]},
        headers={"Sec-Fetch-Dest": "iframe"},
    )


def test_on_https_a_state_cookie_binds_the_launch_to_the_browser_where_cookies_pass(platform):
    browser = Client()
    response = browser.post(
        "/lti/login",
        {"iss": ISSUER, "client_id": CLIENT_ID, "login_hint": "u", "target_link_uri": "x"},
        secure=True,
    )
    [cookie] = [c for name, c in response.cookies.items() if name.startswith("lti-state-")]
    assert cookie["samesite"] == "None" and cookie["secure"] and cookie["httponly"]
    state = re.search(r"state=([^&]+)", response["Location"]).group(1)
    nonce = re.search(r"nonce=([^&]+)", response["Location"]).group(1)
    # another browser that carries a state cookie of its own (third-party cookies pass) is refused
    other = Client()
    other.post("/lti/login", {"iss": ISSUER, "client_id": CLIENT_ID, "login_hint": "u"}, secure=True)
    stolen = other.post("/lti/launch", {"id_token": platform.id_token(nonce), "state": state}, secure=True)
    assert stolen.status_code == 401 and "another browser" in stolen.content.decode()
