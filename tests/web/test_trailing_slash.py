"""One trailing-slash rule for every route: each address is canonical as its route is written, and the form
with the slash added or removed redirects there permanently, query string kept. Walks every URL pattern of
the project, so a new route is covered the day it is added."""

from __future__ import annotations

import re

import pytest
from django.urls import URLResolver, get_resolver, is_valid_path
from django.urls.resolvers import RegexPattern, RoutePattern

from credstack.organizations.actions import create_organization
from credstack.organizations.models import Membership, Role
from tests.shared_data import shared_rows

pytestmark = pytest.mark.django_db

# Django's admin answers its own slash rule (its catch-all view adds the slash); it is not our route table.
NOT_OURS = ("admin/",)
CANDIDATES = ("x1", "demo", "1", "00000000-0000-0000-0000-000000000000", "a")


def _sample(converter) -> str:
    for candidate in CANDIDATES:
        if re.fullmatch(converter.regex, candidate):
            try:
                converter.to_python(candidate)
            except ValueError:
                continue
            return candidate
    raise AssertionError(f"no sample value for the converter {converter!r}")


def _fill(route: str, converters: dict) -> str:
    return re.sub(r"<(?:[^>:]+:)?([^>]+)>", lambda m: _sample(converters[m.group(1)]), route)


def _fill_regex(regex: str) -> str:
    """A path matching a regular-expression route: each named group replaced by a sample it accepts."""
    out, i = "", 0
    while i < len(regex):
        if regex.startswith("(?P<", i):
            depth, j = 0, i
            while True:  # the group's closing parenthesis
                depth += {"(": 1, ")": -1}.get(regex[j], 0) if regex[j - 1] != "\\" else 0
                if depth == 0:
                    break
                j += 1
            inner = regex[regex.index(">", i) + 1 : j]
            out += next(c for c in CANDIDATES if re.fullmatch(inner, c))
            i = j + 1
        else:
            out += regex[i]
            i += 1
    return out.removeprefix("^").removesuffix("$").replace("\\", "")


def _fill_pattern(pattern) -> str:
    if isinstance(pattern, RoutePattern):
        return _fill(str(pattern), pattern.converters)
    assert isinstance(pattern, RegexPattern), pattern
    return _fill_regex(pattern.regex.pattern)


def routes(resolver=None, route_prefix="", path_prefix=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        pattern = entry.pattern
        route = route_prefix + str(pattern)
        if route.startswith(NOT_OURS):
            continue
        path = path_prefix + _fill_pattern(pattern)
        if isinstance(entry, URLResolver):
            yield from routes(entry, route, path)
        else:
            yield route, "/" + path


ALL = sorted(set(routes()))


def test_the_walk_sees_the_routes_of_the_issue():
    seen = {route for route, _path in ALL}
    for route in (
        "verify",
        "learn/<slug:org_slug>/<slug:course_slug>",
        "w/<slug:org_slug>/settings",
        "w/<slug:org_slug>/members",
        "w/<slug:org_slug>/issue",
        "me/",
    ):
        assert route in seen, route
    assert len(ALL) > 100


@pytest.fixture(scope="module")
def x1_owner_id(django_db_setup, django_db_blocker):
    """The organization the samples name (x1) and its owner, built once for the module's ~290 cases
    (shared_rows: each test runs in a savepoint and its writes are undone); the tests get the owner's id."""
    from django.contrib.auth import get_user_model  # the models: after Django's set-up

    with shared_rows(django_db_blocker):
        org = create_organization(slug="x1", name="X One")
        user = get_user_model().objects.create_user("owner", "owner@example.org", "pw-123456789")
        Membership.objects.create(organization=org, user=user, role=Role.OWNER)
        yield user.pk


@pytest.fixture
def owner_of_x1(x1_owner_id, client, django_user_model):
    """Signed in as the owner of the organization the samples name (x1): a workspace page runs its view,
    not the sign-in redirect."""
    client.force_login(django_user_model.objects.get(pk=x1_owner_id))
    return client


@pytest.mark.parametrize(("route", "path"), ALL, ids=[route for route, _path in ALL])
def test_the_other_form_of_every_route_redirects_to_it(owner_of_x1, route, path):
    client = owner_of_x1
    if path == "/":
        return
    assert is_valid_path(path), f"{path} does not resolve"
    other = path[:-1] if path.endswith("/") else path + "/"
    # the other form may match a route with a parameter (/w/x1/courses/new/ is courses/<public_id>/ of a
    # course called "new", which answers 404): the redirect still goes to the route written that way
    response = client.get(f"{other}?q=1")
    assert response.status_code == 301, (other, response.status_code)
    assert response["Location"] == f"{path}?q=1"


def test_a_post_to_the_other_form_keeps_its_method(client):
    response = client.post("/verify/", {"credential": "{}"})
    assert response.status_code == 308 and response["Location"] == "/verify"


def test_the_issue_examples_redirect(client):
    for given, canonical in [
        ("/verify/", "/verify"),
        ("/learn/acme/python-101/", "/learn/acme/python-101"),
        ("/w/acme/settings/", "/w/acme/settings"),
        ("/w/acme/members/", "/w/acme/members"),
        ("/w/acme/issue/", "/w/acme/issue"),
        ("/me", "/me/"),
    ]:
        response = client.get(given)
        assert (response.status_code, response["Location"]) == (301, canonical), given


def test_a_page_that_answers_404_itself_keeps_it(client):
    assert client.get("/c/doesnotexist123").status_code == 404  # a real route: no redirect


def test_a_literal_route_wins_over_a_parameter_that_found_nothing(owner_of_x1):
    response = owner_of_x1.get("/w/x1/courses/new/")  # not a course called "new": the new-course page
    assert (response.status_code, response["Location"]) == (301, "/w/x1/courses/new")
    assert owner_of_x1.get("/w/x1/courses/nosuchcourse/").status_code == 404  # no other form: a 404


def test_a_refused_literal_route_is_not_sent_to_a_parameter_route(client, org, django_user_model):
    # not a member: /w/acme/courses/new is a 404, not a redirect to courses/<public_id>/ of a course "new"
    client.force_login(
        django_user_model.objects.create_user("stranger", "stranger@example.org", "pw-123456789")
    )
    assert client.get("/w/acme/courses/new").status_code == 404
    assert client.post("/w/acme/credentials/bulk-action", {"action": "suspend"}).status_code == 404
