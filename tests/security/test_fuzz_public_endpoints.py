"""Issue 13: a fuzz run of every endpoint a stranger reaches without signing in. Whatever is sent — odd
path segments, query strings, form fields, JSON of any shape, random bytes — the answer is never a 500 and
each request is handled within a bounded CPU time.

Hypothesis draws the requests (a bounded number of examples; derandomized in CI by tests/conftest.py, no
deadline). Django's test client re-raises a view's exception, so a crash fails with its traceback.
"""

from __future__ import annotations

import json
import time
from urllib.parse import quote, urlencode

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

# One request of the worst kind drawn here is handled in ~0.05 s of CPU; a second means something scans
# its input more than once per character (or waits on something), which no public page should.
CPU_PER_REQUEST = 2.0

FUZZ = settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])

GET_PATHS = [
    "/",
    "/healthz",
    "/verify",
    "/c/{id}",
    "/c/{id}.json",
    "/c/{id}.pdf",
    "/c/{id}.png",
    "/c/{id}.svg",
    "/c/{id}/ob2",
    "/a/{id}",
    "/a/{id}/ob2",
    "/a/{id}/badge",
    "/orgs/{slug}/did.json",
    "/orgs/{slug}/ob2",
    "/orgs/{slug}/logo",
    "/status/{id}/{word}",
    "/.well-known/did.json",
    "/hooks/in/{id}",
    "/learn/sign-in",
    "/learn/{slug}/{slug}",
    "/learn/reminders/off/{id}",
    "/d/{id}/open.gif",
    "/d/{id}/go/{word}",
    "/me/login",
    "/me/login/code",
    "/ims/ob/v3p0/discovery",
    "/ims/ob/v3p0/oauth/authorize",
    "/ims/ob/v3p0/credentials",
    "/ims/ob/v3p0/profile",
    "/lti/login",
    "/lti/jwks",
    "/lti/open/{id}",
    "/lti/register/{id}",
]

FORM_POSTS = [
    "/verify",
    "/me/login",
    "/me/login/code",
    "/learn/sign-in",
    "/lti/login",
    "/lti/launch",
    "/lti/deep-link/{id}",
    "/ims/ob/v3p0/oauth/token",
    "/ims/ob/v3p0/oauth/revoke",
    "/ims/ob/v3p0/oauth/authorize",
]

BODY_POSTS = [
    "/verify/api/credential",
    "/hooks/in/{token}",
    "/ims/ob/v3p0/oauth/register",
    "/ims/ob/v3p0/oauth/token",
]

FIELDS = [
    "credential",
    "email",
    "code",
    "next",
    "grant_type",
    "client_id",
    "client_secret",
    "redirect_uri",
    "code_verifier",
    "refresh_token",
    "token",
    "scope",
    "state",
    "id_token",
    "iss",
    "login_hint",
    "target_link_uri",
    "lti_message_hint",
    "response_type",
    "code_challenge",
]

# text of every kind, a little of it long; Unicode beyond the BMP and control characters included
texts = st.one_of(
    st.text(max_size=60),
    st.text(alphabet="[{<\"'&%.:/#=;,\\ \x00", max_size=400),
    st.sampled_from(["", " ", "\x00", "null", "{}", "[]", "a" * 5000, "did:web:localhost", "%00", "../.."]),
)
segments = st.one_of(texts.filter(bool), st.from_regex(r"[A-Za-z0-9_-]{1,30}", fullmatch=True))
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | texts,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(texts, inner, max_size=5),
    max_leaves=30,
)


def timed(send):
    started = time.process_time()
    response = send()
    used = time.process_time() - started
    assert response.status_code < 500, (response.status_code, response.content[:300])
    assert used < CPU_PER_REQUEST, f"{used:.2f} s of CPU"
    return response


@pytest.fixture
def stranger(issue, org):
    """A client that is signed in nowhere, on a site with one organization and one credential."""
    from credstack.integrations.actions import create_endpoint

    credential = issue()
    endpoint = create_endpoint(org, name="LMS", preset="generic", achievement=credential.achievement)
    client = Client()
    client.known = {
        "id": credential.public_id,
        "slug": org.slug,
        "token": endpoint.token,
        "word": "revocation",
    }
    return client


def fill(template: str, known: dict, data) -> str:
    def value(name: str) -> str:
        drawn = data.draw(st.one_of(st.just(known.get(name, "x")), segments), label=name)
        return quote(drawn, safe="")

    out = template
    for name in ("id", "slug", "token", "word"):
        while "{" + name + "}" in out:
            out = out.replace("{" + name + "}", value(name), 1)
    return out


@FUZZ
@given(data=st.data())
def test_public_pages_answer_any_path_and_query_without_a_server_error(stranger, data):
    path = fill(data.draw(st.sampled_from(GET_PATHS), label="path"), stranger.known, data)
    query = data.draw(st.dictionaries(st.sampled_from(FIELDS), texts, max_size=4), label="query")
    timed(lambda: stranger.get(path + ("?" + urlencode(query) if query else "")))


@FUZZ
@given(data=st.data())
def test_public_forms_answer_any_fields_without_a_server_error(stranger, data):
    path = data.draw(st.sampled_from(FORM_POSTS), label="path")
    fields = data.draw(st.dictionaries(st.sampled_from(FIELDS), texts, max_size=6), label="fields")
    timed(lambda: stranger.post(path, fields))


@FUZZ
@given(data=st.data())
def test_public_json_endpoints_answer_any_body_without_a_server_error(stranger, data):
    path = fill(data.draw(st.sampled_from(BODY_POSTS), label="path"), stranger.known, data)
    body = data.draw(
        st.one_of(
            json_values.map(lambda v: json.dumps(v).encode()),
            json_values.map(lambda v: json.dumps({"credential": v}).encode()),
            st.binary(max_size=300),
            texts.map(str.encode),
        ),
        label="body",
    )
    kind = data.draw(
        st.sampled_from(["application/json", "application/x-www-form-urlencoded", "text/plain", ""]),
        label="content type",
    )
    timed(lambda: stranger.generic("POST", path, body, content_type=kind))


@FUZZ
@given(
    content=st.binary(max_size=2000), prefix=st.sampled_from([b"", b"\x89PNG\r\n\x1a\n", b"%PDF-", b"<svg"])
)
def test_the_verifier_reads_any_file_without_a_server_error(stranger, content, prefix):
    timed(lambda: stranger.post("/verify/api/file", {"file": SimpleUploadedFile("f", prefix + content)}))
    timed(lambda: stranger.post("/verify", {"file": SimpleUploadedFile("f", prefix + content)}))
