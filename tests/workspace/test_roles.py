"""Roles and tenants, declaratively: every workspace route with the least role it needs.

The routes come from the URL configuration: every route under ``/w/<org>/``, whichever app owns it. A route
without a line in ENDPOINTS fails the tests below with its name, and so does a line whose path no route
answers.

For each endpoint, each role in turn (what one role does is undone before the next): a member with a smaller
role gets 403 and changes nothing in any table; a member with enough role succeeds; a member of another
organization gets 404 and changes nothing; a stranger is sent to sign in and changes nothing. Another organization's object ids under our own organization's URL give 404.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.db import transaction
from django.test import override_settings
from django.urls import URLResolver, get_resolver, resolve

from credstack.organizations.models import ROLE_RANK, Role
from tests.shared_data import acme, python_basics, shared_rows
from tests.unchanged import changes_nothing

ROLES = [Role.VIEWER, Role.ISSUER, Role.ADMIN, Role.OWNER]
WORKSPACE = "w/<slug:org_slug>/"


@dataclass
class Endpoint:
    name: str
    path: str  # formatted with the keys of the ctx fixture
    role: str
    method: str = "get"
    data: Callable[[dict], dict] | dict = field(default_factory=dict)
    ok: tuple = (200, 302)

    def url(self, ctx):
        return self.path.format(**ctx)

    def payload(self, ctx) -> dict[str, Any]:
        return self.data(ctx) if callable(self.data) else dict(self.data)

    @property
    def route(self) -> str:
        """The URL pattern that answers this endpoint's path (any value stands in for the ids)."""
        return resolve(self.path.format_map(_AnyId())).route

    def __str__(self) -> str:
        return self.name


class _AnyId(dict):
    def __missing__(self, key):
        return "acme" if key == "slug" else "1"


def post(name, path, role, data=None, ok=(302,)) -> Endpoint:
    return Endpoint(name, path, role, "post", data or {}, ok)


WEBHOOK = "/w/{slug}/developers/webhooks/{webhook}"
INBOUND = "/w/{slug}/integrations/{inbound}"
COURSE = "/w/{slug}/courses/{course}"
LESSON = COURSE + "/lessons/{lesson}"

ENDPOINTS = [
    Endpoint("dashboard", "/w/{slug}/", Role.VIEWER),
    Endpoint("credentials", "/w/{slug}/credentials/", Role.VIEWER),
    Endpoint("credentials csv", "/w/{slug}/credentials.csv", Role.VIEWER),
    Endpoint("credential", "/w/{slug}/credentials/{credential}/", Role.VIEWER),
    Endpoint("achievements", "/w/{slug}/achievements/", Role.VIEWER),
    Endpoint("achievement", "/w/{slug}/achievements/{achievement}/", Role.VIEWER),
    Endpoint("achievement badge", "/w/{slug}/achievements/{achievement}/badge.svg", Role.VIEWER, ok=(200,)),
    Endpoint("designs", "/w/{slug}/designs/", Role.VIEWER),
    Endpoint("design", "/w/{slug}/designs/{design}/", Role.VIEWER),
    Endpoint("design thumbnail", "/w/{slug}/designs/{design}/thumb.png", Role.VIEWER, ok=(200,)),
    Endpoint("gallery thumbnail", "/w/{slug}/designs/gallery/classic-navy.png", Role.VIEWER, ok=(200,)),
    Endpoint("compare design versions", "/w/{slug}/designs/{design}/compare", Role.VIEWER, ok=(200,)),
    Endpoint("design version picture", "/w/{slug}/designs/{design}/versions/1.png", Role.VIEWER, ok=(200,)),
    Endpoint("audit", "/w/{slug}/audit/", Role.VIEWER),
    Endpoint("audit csv", "/w/{slug}/audit.csv", Role.VIEWER),
    Endpoint("analytics", "/w/{slug}/analytics/", Role.VIEWER),
    Endpoint("analytics csv", "/w/{slug}/analytics.csv", Role.VIEWER),
    Endpoint("members", "/w/{slug}/members", Role.VIEWER),
    Endpoint("bulk job", "/w/{slug}/bulk/{job}/", Role.VIEWER),
    Endpoint("bulk progress", "/w/{slug}/bulk/{job}/progress", Role.VIEWER, ok=(200,)),
    Endpoint("issue form", "/w/{slug}/issue", Role.ISSUER),
    Endpoint("bulk form", "/w/{slug}/bulk/", Role.ISSUER),
    post(
        "issue one",
        "/w/{slug}/issue",
        Role.ISSUER,
        lambda c: {
            "achievement": c["achievement"],
            "recipient_name": "Zoë Role",
            "recipient_email": "zoe@example.org",
        },
    ),
    post(
        "suspend",
        "/w/{slug}/credentials/{credential}/suspend",
        Role.ISSUER,
        {"reason": "check", "confirmed": "1"},
    ),
    post("resend", "/w/{slug}/credentials/{credential}/resend", Role.ISSUER),
    post(
        "bulk suspend",
        "/w/{slug}/credentials/bulk-action",
        Role.ISSUER,
        lambda c: {"action": "suspend", "reason": "check", "ids": [c["credential"]], "confirmed": "1"},
    ),
    post("bulk confirm", "/w/{slug}/bulk/{job}/confirm", Role.ISSUER),
    post("bulk resume", "/w/{slug}/bulk/{job}/resume", Role.ISSUER),
    Endpoint("bulk results", "/w/{slug}/bulk/{job}/results.csv", Role.VIEWER),
    Endpoint("bulk sample csv", "/w/{slug}/bulk/sample.csv", Role.VIEWER, ok=(200,)),
    Endpoint("LMS platforms", "/w/{slug}/lti/", Role.ADMIN),
    post("remove LMS platform", "/w/{slug}/lti/{platform}/remove", Role.ADMIN),
    Endpoint("single sign-on", "/w/{slug}/sso/", Role.ADMIN),
    post("turn off single sign-on", "/w/{slug}/sso/remove", Role.ADMIN),
    post(
        "correct",
        "/w/{slug}/credentials/{credential}/correct",
        Role.ISSUER,
        {"recipient_name": "New Name", "reason": "typo"},
    ),
    post(
        "design preview", "/w/{slug}/designs/{design}/preview", Role.VIEWER, {"template": "minimal"}, (200,)
    ),
    Endpoint("new achievement form", "/w/{slug}/achievements/new", Role.ADMIN),
    Endpoint("skills", "/w/{slug}/skills/", Role.VIEWER),
    post("import skills (no file: an error)", "/w/{slug}/skills/import", Role.ADMIN, {"kind": "esco"}),
    post(
        "align skills (none ticked: an error)",
        "/w/{slug}/skills/align",
        Role.ADMIN,
        lambda c: {"achievement": c["achievement"]},
    ),
    Endpoint("edit achievement form", "/w/{slug}/achievements/{achievement}/edit", Role.ADMIN),
    post(
        "achievement translations",
        "/w/{slug}/achievements/{achievement}/translations",
        Role.ADMIN,
        {"de-name": "Python-Grundlagen", "de-description": ""},
    ),
    Endpoint("settings", "/w/{slug}/settings", Role.ADMIN),
    Endpoint("signing keys", "/w/{slug}/settings/keys", Role.ADMIN),
    Endpoint("endorsements", "/w/{slug}/endorsements/", Role.ISSUER),
    post("ask for an endorsement", "/w/{slug}/endorsements/", Role.ISSUER, {"target": "issuer"}, (200,)),
    post("revoke an endorsement", "/w/{slug}/endorsements/{endorsement}/revoke", Role.ISSUER),
    post("key compromised", "/w/{slug}/settings/keys", Role.ADMIN, {"reason": "leaked", "confirmed": "1"}),
    Endpoint("signed PDFs settings", "/w/{slug}/settings/signed-pdfs", Role.ADMIN, ok=(200,)),
    post(
        "create a PDF signing certificate", "/w/{slug}/settings/signed-pdfs", Role.ADMIN, {"action": "create"}
    ),
    post("import a design", "/w/{slug}/designs/import", Role.ADMIN),
    Endpoint("domain settings", "/w/{slug}/settings/domain", Role.ADMIN),
    post("new design", "/w/{slug}/designs/new", Role.ADMIN, {"template": "modern"}),
    post("save design draft", "/w/{slug}/designs/{design}/draft", Role.ADMIN, ok=(200,)),
    post("publish design", "/w/{slug}/designs/{design}/publish", Role.ADMIN),
    post("restore design version", "/w/{slug}/designs/{design}/restore", Role.ADMIN, {"version": "1"}),
    post("duplicate design", "/w/{slug}/designs/{design}/duplicate", Role.ADMIN),
    post("design upload", "/w/{slug}/designs/{design}/upload", Role.ADMIN, {"role": "background"}),
    post("invite", "/w/{slug}/members", Role.ADMIN, {"email": "new@example.org", "role": "viewer"}),
    post(
        "change a member's role",
        "/w/{slug}/members/{member}",
        Role.ADMIN,
        {"action": "role", "role": "issuer"},
    ),
    post("withdraw an invitation", "/w/{slug}/invitations/{invitation}/withdraw", Role.ADMIN),
    # courses
    Endpoint("courses", "/w/{slug}/courses/", Role.VIEWER),
    Endpoint("new course form", "/w/{slug}/courses/new", Role.ADMIN),
    Endpoint("course", COURSE + "/", Role.VIEWER),
    Endpoint("course analytics", COURSE + "/analytics", Role.VIEWER),
    Endpoint("course learners csv", COURSE + "/learners.csv", Role.VIEWER, ok=(200,)),
    Endpoint("lesson", LESSON + "/", Role.VIEWER),
    post("new lesson", COURSE + "/lessons/new", Role.ADMIN, {"title": "Lesson six"}),
    post("move a lesson", LESSON + "/down", Role.ADMIN),
    post("delete a question", LESSON + "/questions/{question}/delete", Role.ADMIN),
    post("publish", COURSE + "/publish", Role.ADMIN),
    post("close enrolment", COURSE + "/enrolment/close", Role.ADMIN),
    post("invite learners", COURSE + "/invite", Role.ISSUER, {"emails": "lee@example.org"}, (200, 302)),
    post("reset quiz attempts", COURSE + "/learners/{enrolment}/reset/{lesson}", Role.ISSUER),
    # pathways
    Endpoint("pathways", "/w/{slug}/pathways/", Role.VIEWER),
    Endpoint("pathway", "/w/{slug}/pathways/{pathway}/", Role.VIEWER),
    Endpoint("new pathway form", "/w/{slug}/pathways/new", Role.ADMIN),
    # email templates
    Endpoint("email templates", "/w/{slug}/email-templates/", Role.ADMIN),
    Endpoint("email template", "/w/{slug}/email-templates/issued/", Role.ADMIN),
    Endpoint("achievement's email template", "/w/{slug}/email-templates/issued/{achievement}/", Role.ADMIN),
    post(
        "save email template",
        "/w/{slug}/email-templates/issued/",
        Role.ADMIN,
        {"subject": "Yours, {{ recipient_name }}", "body": "{{ achievement_name }}", "action": "save"},
    ),
    # developers: API keys and outbound webhooks
    Endpoint("developers", "/w/{slug}/developers/", Role.ADMIN),
    post(
        "new API key",
        "/w/{slug}/developers/keys/new",
        Role.ADMIN,
        {"name": "LMS", "scope": "read"},
        (200, 302),
    ),
    post("revoke API key", "/w/{slug}/developers/keys/{key}/revoke", Role.ADMIN),
    Endpoint("new webhook form", "/w/{slug}/developers/webhooks/new", Role.ADMIN),
    Endpoint("webhook", WEBHOOK + "/", Role.ADMIN),
    Endpoint("webhook deliveries", WEBHOOK + "/deliveries/", Role.ADMIN),
    post("webhook test event", WEBHOOK + "/test", Role.ADMIN),
    post("webhook rotate", WEBHOOK + "/rotate", Role.ADMIN, ok=(200, 302)),
    post("webhook end overlap", WEBHOOK + "/rotate/end-overlap", Role.ADMIN),
    post("webhook disable", WEBHOOK + "/disable", Role.ADMIN),
    post("webhook enable", WEBHOOK + "/enable", Role.ADMIN),
    post("webhook redeliver", WEBHOOK + "/deliveries/{msg}/redeliver", Role.ADMIN),
    post("webhook redeliver failed", WEBHOOK + "/deliveries/redeliver-failed", Role.ADMIN),
    post("webhook delete", WEBHOOK + "/delete", Role.ADMIN),
    # inbound integrations
    Endpoint("integrations", "/w/{slug}/integrations/", Role.ADMIN),
    Endpoint("integration", INBOUND + "/", Role.ADMIN),
    Endpoint("integration events", INBOUND + "/events/", Role.ADMIN),
    post(
        "integration preview",
        INBOUND + "/preview",
        Role.ADMIN,
        {"payload": '{"email": "a@example.org"}'},
        (200, 302),
    ),
    post("integration replay", INBOUND + "/events/{event}/replay", Role.ADMIN),
    post("integration rotate", INBOUND + "/rotate", Role.ADMIN, ok=(200, 302)),
    post("integration delete", INBOUND + "/delete", Role.ADMIN),
]


def _workspace_routes(patterns=None, prefix="") -> list[str]:
    routes = []
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            routes += _workspace_routes(pattern.url_patterns, prefix + str(pattern.pattern))
        elif (prefix + str(pattern.pattern)).startswith(WORKSPACE):
            routes.append(prefix + str(pattern.pattern))
    return routes


ROUTES = _workspace_routes()


def _cases(condition=lambda ep: True) -> list:
    """One case per declared endpoint of every route, and the route's own name where none is declared."""
    declared: dict[str, list[Endpoint]] = {}
    for ep in ENDPOINTS:
        declared.setdefault(ep.route, []).append(ep)
    cases = []
    for route in ROUTES:
        if route not in declared:
            cases.append(pytest.param(route, id=route))
        cases += (
            [pytest.param(ep, id=ep.name) for ep in declared[route] if condition(ep)]
            if route in declared
            else []
        )
    return cases


def declared(ep) -> Endpoint:
    if isinstance(ep, str):
        pytest.fail(f"the route {ep} has no declared expectations: add it to ENDPOINTS in {__name__}")
    return ep


def test_every_declared_endpoint_is_a_workspace_route():
    assert sorted({ep.route for ep in ENDPOINTS} - set(ROUTES)) == []


@pytest.fixture(scope="module")
def ctx(django_db_setup, django_db_blocker):
    """One of each kind of object a workspace route names, built once for the module (shared_rows: each
    test runs in a savepoint and its writes are undone); the tests get their ids."""
    with (
        shared_rows(django_db_blocker),
        override_settings(CREDSTACK_WEBHOOKS_ALLOW_PRIVATE=True, CREDSTACK_EVENT_FLUSH_SECONDS=0),
    ):
        yield _build_ctx()


@pytest.fixture
def org(ctx, db):
    from credstack.organizations.models import Organization

    return Organization.objects.get(slug=ctx["slug"])


def _build_ctx() -> dict:
    from credstack.achievements.actions import create_achievement
    from credstack.api.actions import create_api_key
    from credstack.courses.models import Question
    from credstack.credentials.actions import issue_credential
    from credstack.designs.actions import create_design
    from credstack.designs.editor import DEFAULTS, build
    from credstack.endorsements.actions import endorse, request_endorsement
    from credstack.integrations import actions as inbound
    from credstack.learning import actions as learning
    from credstack.lti.actions import register_platform
    from credstack.organizations.actions import invite_member
    from credstack.organizations.actors import Actor
    from credstack.organizations.models import Membership
    from credstack.pathways.actions import create_pathway
    from credstack.webhooks.actions import create_endpoint, send_test_event
    from credstack.workspace.bulk import prepare_job
    from tests.courses.factory import make_course
    from tests.integrations.conftest import signed_headers
    from tests.workspace.conftest import make_user

    # the same organization and achievement as the org and achievement fixtures of tests/conftest.py
    org = acme()
    achievement = python_basics(org)
    credential = issue_credential(
        achievement=achievement, recipient_name="Ada Lovelace", recipient_email="ada@example.org"
    )
    design = create_design(org, name="Main", data=build(DEFAULTS))
    job = prepare_job(
        organization=org,
        achievement=achievement,
        filename="a.csv",
        data=b"name,email\nA,a@example.org\n",
        kind="text/csv",
    )
    course = make_course(org, achievement, lessons=2)
    lesson = course.lessons.first()
    enrolment = learning.enrol(course, learning.learner_for("lee@example.org", "Lee"))
    stacked = create_achievement(
        organization=org, slug="stacked", name="Stacked", description="d", criteria_narrative="c"
    )
    pathway = create_pathway(achievement=stacked, components=[achievement])
    webhook = create_endpoint(org, url="http://127.0.0.1:9/hook")
    delivery = send_test_event(webhook)
    hook = inbound.create_endpoint(org, name="LMS", preset="generic", achievement=achievement)
    body = b'{"id": "attempt-1", "email": "not an address", "name": "Ada"}'
    [(event, _)], _ = inbound.receive(hook, body, "application/json", signed_headers(hook, body))
    platform = register_platform(
        org,
        name="Moodle",
        issuer="https://moodle.example.org",
        client_id="cid-1",
        deployment_ids=["1"],
        auth_login_url="https://moodle.example.org/auth",
        auth_token_url="https://moodle.example.org/token",
        key_set_url="https://moodle.example.org/jwks",
        actor=Actor.command_line(),
    )
    asked = request_endorsement(org, target="issuer", actor=Actor.command_line())
    endorsement = endorse(asked.token, name="Guild", comment="Good.")
    return {
        "slug": org.slug,
        "endorsement": endorsement.public_id,
        "platform": platform.public_id,
        "credential": credential.public_id,
        "achievement": achievement.public_id,
        "design": design.public_id,
        "job": job.public_id,
        "course": course.public_id,
        "lesson": lesson.key,
        "question": Question.objects.filter(lesson=lesson).first().pk,
        "enrolment": enrolment.public_id,
        "pathway": pathway.public_id,
        "webhook": webhook.public_id,
        "msg": delivery.message.msg_id,
        "key": create_api_key(org, name="LMS", scope="read").api_key.prefix,
        "inbound": hook.public_id,
        "event": event.public_id,
        "member": Membership.objects.create(
            organization=org, user=make_user("target@example.org"), role=Role.VIEWER
        ).pk,
        "invitation": invite_member(org, "invited@example.org", Role.VIEWER, Actor.command_line()).pk,
    }


@pytest.fixture(autouse=True)
def _loopback_webhooks(settings):
    settings.CREDSTACK_WEBHOOKS_ALLOW_PRIVATE = True


def _call(client, ep: Endpoint, ctx):
    return getattr(client, ep.method)(ep.url(ctx), ep.payload(ctx))


@contextmanager
def _undone():
    """Whatever the block writes is rolled back after it, so each caller meets the same objects."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


@pytest.mark.parametrize("ep", _cases())
def test_each_role_can_do_exactly_what_it_should(ep, ctx, other_org, signed_in, client):
    """Each role in turn, then a member of another organization (404), then a stranger (sign in first)."""
    ep = declared(ep)
    for role in ROLES:
        with _undone():
            client = signed_in(role)
            if ROLE_RANK[role] >= ROLE_RANK[ep.role]:
                response = _call(client, ep, ctx)
                assert response.status_code in ep.ok, (ep.name, role, response.status_code)
            else:
                with changes_nothing():
                    response = _call(client, ep, ctx)
                assert response.status_code == 403, (ep.name, role, response.status_code)
    with _undone():
        client = signed_in(Role.OWNER, other_org)
        with changes_nothing():
            assert _call(client, ep, ctx).status_code == 404, (ep.name, "another organization's owner")
    client.logout()
    with changes_nothing():
        response = _call(client, ep, ctx)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/"), ep.name


def test_other_organizations_ids_under_our_url_give_404(ctx, other_org, signed_in):
    from credstack.credentials.actions import issue_credential
    from credstack.designs.actions import create_design
    from credstack.designs.editor import DEFAULTS, build

    theirs = other_org.achievements.get()
    their_credential = issue_credential(
        achievement=theirs, recipient_name="Eve", recipient_email="eve@example.org"
    )
    their_design = create_design(other_org, name="Theirs", data=build(DEFAULTS))
    client = signed_in(Role.OWNER)
    slug = ctx["slug"]
    for url in (
        f"/w/{slug}/credentials/{their_credential.public_id}/",
        f"/w/{slug}/achievements/{theirs.public_id}/",
        f"/w/{slug}/achievements/{theirs.public_id}/edit",
        f"/w/{slug}/designs/{their_design.public_id}/",
        f"/w/{slug}/designs/{their_design.public_id}/thumb.png",
    ):
        assert client.get(url).status_code == 404, url
    assert (
        client.post(f"/w/{slug}/credentials/{their_credential.public_id}/revoke", {"reason": "x"}).status_code
        == 404
    )
    # issuing their achievement from our form is refused
    r = client.post(
        f"/w/{slug}/issue",
        {"achievement": theirs.public_id, "recipient_name": "X", "recipient_email": "x@example.org"},
    )
    assert (
        r.status_code == 200 and "choose one of your achievements" in r.content.decode().lower()
    ) or "Select a valid choice" in r.content.decode()
    # bulk actions on their ids change nothing
    client.post(
        f"/w/{slug}/credentials/bulk-action",
        {"action": "revoke", "reason": "x", "ids": [their_credential.public_id], "confirmed": "1"},
    )
    their_credential.refresh_from_db()
    assert their_credential.state == "active"
    # the org switcher never lists their organization
    assert "Globex" not in client.get(f"/w/{slug}/").content.decode()


def test_owner_role_rules(org, signed_in, member):
    from credstack.organizations.models import Membership

    admin_client = signed_in(Role.ADMIN)
    owner = member(Role.OWNER, email="boss@example.org")
    owner_m = Membership.objects.get(user=owner)
    # an admin cannot demote or remove an owner, nor make someone owner
    assert admin_client.post(f"/w/{org.slug}/members/{owner_m.id}", {"action": "remove"}).status_code == 403
    viewer = member(Role.VIEWER, email="v@example.org")
    vm = Membership.objects.get(user=viewer)
    assert (
        admin_client.post(f"/w/{org.slug}/members/{vm.id}", {"action": "role", "role": "owner"}).status_code
        == 403
    )
    assert (
        admin_client.post(f"/w/{org.slug}/members/{vm.id}", {"action": "role", "role": "issuer"}).status_code
        == 302
    )
    vm.refresh_from_db()
    assert vm.role == "issuer"
