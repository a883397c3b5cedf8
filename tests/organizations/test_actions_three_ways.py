"""The same change through every entry point that offers it gives the same result, the same error and the
same audit row; only who made it (the actor's kind and label) differs.

Members, invitations, settings and email templates are offered by the workspace pages: the page and the
action called as the command line would call it agree. API keys: the Developers page and the
``credstack apikey`` command. Webhook endpoints: the Developers pages and the JSON API (with an API key).
"""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import transaction

from credstack.accounts.actions import set_language
from credstack.api.actions import create_api_key
from credstack.api.models import ApiKey
from credstack.cli import main
from credstack.delivery import actions as delivery_actions
from credstack.delivery.models import EmailTemplate
from credstack.delivery.rendering import TemplateError
from credstack.organizations import actions
from credstack.organizations.actors import Actor
from credstack.organizations.models import AuditEntry, Invitation, Membership, Organization, Role
from credstack.webhooks import actions as webhook_actions
from credstack.webhooks.models import WebhookDelivery, WebhookEndpoint
from tests.workspace.conftest import make_user

CLI = Actor.command_line("ops")


def rows(org, prefix: str = "") -> list[tuple[str, str, str, str]]:
    """The audit rows (oldest first): action, target, detail, actor kind."""
    return [
        (e.action, e.target, e.detail, e.actor_kind)
        for e in AuditEntry.objects.filter(organization=org, action__startswith=prefix).order_by("id")
    ]


def without_actor(entries):
    return [entry[:3] for entry in entries]


def tables(org) -> tuple:
    """What a refused change must leave as it was."""
    return (
        list(Membership.objects.filter(organization=org).values_list("user__email", "role").order_by("id")),
        Invitation.objects.filter(organization=org).count(),
        AuditEntry.objects.filter(organization=org).count(),
    )


# ---- invitations ---------------------------------------------------------------------------------


def test_an_invitation_from_the_page_and_from_the_action_are_the_same(org, signed_in, run_on_commit):
    page = signed_in(Role.ADMIN)
    with run_on_commit():
        response = page.post(f"/w/{org.slug}/members", {"email": "ana@example.org", "role": "issuer"})
    assert response.status_code == 302
    with run_on_commit():
        actions.invite_member(org, "bo@example.org", "issuer", CLI)
    invitations = Invitation.objects.filter(organization=org).order_by("id")
    assert [(i.email, i.role, i.accepted_at) for i in invitations] == [
        ("ana@example.org", "issuer", None),
        ("bo@example.org", "issuer", None),
    ]
    assert invitations[0].invited_by == page.user and invitations[1].invited_by is None
    assert rows(org, "member.") == [
        ("member.invited", "ana@example.org", "issuer", "user"),
        ("member.invited", "bo@example.org", "issuer", "cli"),
    ]
    # each got its email, naming who invited them as the audit log does
    assert [m.to for m in mail.outbox] == [["ana@example.org"], ["bo@example.org"]]
    assert mail.outbox[0].body.startswith(f"{page.user.email} invites you to Acme Training as issuer.")
    assert mail.outbox[1].body.startswith("command line (ops) invites you to Acme Training as issuer.")
    assert invitations[0].token in mail.outbox[0].body


def test_only_an_owner_invites_an_owner_on_the_page_and_in_the_action(org, signed_in, member):
    page = signed_in(Role.ADMIN)
    before = tables(org)
    response = page.post(f"/w/{org.slug}/members", {"email": "boss@example.org", "role": "owner"})
    assert response.status_code == 200
    assert "only an owner can invite another owner" in response.content.decode()
    admin = Actor.for_user(member(Role.ADMIN, email="other-admin@example.org"))
    before = tables(org)
    with pytest.raises(actions.NotAllowed, match="only an owner can invite another owner"):
        actions.invite_member(org, "boss@example.org", "owner", admin)
    assert tables(org) == before
    # and an owner may
    owner = Actor.for_user(member(Role.OWNER, email="owner@example.org"))
    assert actions.invite_member(org, "boss@example.org", "owner", owner).role == "owner"


def test_a_viewer_invites_nobody_anywhere(org, signed_in, member):
    page = signed_in(Role.VIEWER)
    before = tables(org)
    response = page.post(f"/w/{org.slug}/members", {"email": "x@example.org", "role": "viewer"})
    assert response.status_code == 403 and b"Only owners and admins invite members." in response.content
    viewer = Actor.for_user(member(Role.VIEWER, email="v2@example.org"))
    before = tables(org)
    with pytest.raises(actions.NotAllowed, match=r"Only owners and admins invite members\."):
        actions.invite_member(org, "x@example.org", "viewer", viewer)
    assert tables(org) == before


def test_a_refusal_speaks_the_workspace_users_language(org, signed_in, member):
    """Issue 17: an admin whose workspace speaks French is refused in French: a page in the site's look
    (not a bare line of text) for the owner they may not change, and the sentence beside the role field
    for the owner they may not invite. Nothing changes."""
    page = signed_in(Role.ADMIN)
    set_language(page.user, "fr", Actor.for_user(page.user))
    member(Role.OWNER, email="boss@example.org")
    boss = _membership("boss@example.org")
    before = tables(org)
    response = page.post(f"/w/{org.slug}/members/{boss.pk}", {"action": "remove"})
    html = response.content.decode()
    assert response.status_code == 403 and '<html lang="fr"' in html
    assert "Seul un propriétaire peut modifier un autre propriétaire." in html
    assert "Accès refusé" in html and "Only an owner" not in html
    response = page.post(f"/w/{org.slug}/members", {"email": "boss2@example.org", "role": "owner"})
    assert response.status_code == 200
    assert "seul un propriétaire peut inviter un autre propriétaire" in response.content.decode()
    assert tables(org) == before


def test_bad_invitations_are_refused_with_the_field_named(org, member):
    member(Role.ISSUER, email="already@example.org")
    before = tables(org)
    for email, role, field in [
        ("not an address", "viewer", "email"),
        ("new@example.org", "emperor", "role"),
        ("ALREADY@example.org", "viewer", "email"),
    ]:
        with pytest.raises(ValidationError) as refused:
            actions.invite_member(org, email, role, CLI)
        assert list(refused.value.message_dict) == [field]
    assert tables(org) == before


def test_the_invitation_email_leaves_after_the_commit_and_never_after_a_rollback(
    org, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=False) as queued:
        actions.invite_member(org, "ana@example.org", "viewer", CLI)
        assert mailoutbox == []  # not inside the request's transaction
    assert mailoutbox == [] and len(queued) == 1
    queued[0]()  # the commit
    assert [m.to for m in mailoutbox] == [["ana@example.org"]]
    assert mailoutbox[0].subject == "Join Acme Training on credstack"

    with django_capture_on_commit_callbacks(execute=True) as queued:
        with pytest.raises(RuntimeError), transaction.atomic():
            actions.invite_member(org, "bo@example.org", "viewer", CLI)
            raise RuntimeError("something later in the same transaction failed")
    assert queued == [] and len(mailoutbox) == 1
    assert not Invitation.objects.filter(email="bo@example.org").exists()
    assert not AuditEntry.objects.filter(target="bo@example.org").exists()


def test_accepting_on_the_page_and_with_the_action_gives_the_same_membership(org, client, run_on_commit):
    ana, bo = make_user("ana@example.org"), make_user("bo@example.org")
    first = actions.invite_member(org, "ana@example.org", "issuer", CLI)
    second = actions.invite_member(org, "bo@example.org", "issuer", CLI)
    client.force_login(ana)
    assert client.post(f"/w/invitations/{first.token}").status_code == 302
    actions.accept_invitation(second, bo)
    assert {m.user.email: m.role for m in Membership.objects.filter(organization=org)} == {
        "ana@example.org": "issuer",
        "bo@example.org": "issuer",
    }
    assert rows(org, "member.joined") == [
        ("member.joined", "ana@example.org", "issuer", "user"),
        ("member.joined", "bo@example.org", "issuer", "user"),
    ]
    # used once: the page says so, the action refuses
    assert client.post(f"/w/invitations/{first.token}")["Location"] == "/w/"
    with pytest.raises(ValidationError, match=r"This invitation was already used\."):
        actions.accept_invitation(second, bo)
    assert len(rows(org, "member.joined")) == 2


def test_someone_else_cannot_accept_on_the_page_nor_with_the_action(org, client):
    invitation = actions.invite_member(org, "ana@example.org", "admin", CLI)
    eve = make_user("eve@example.org")
    before = tables(org)
    client.force_login(eve)
    page = client.post(f"/w/invitations/{invitation.token}", follow=True).content.decode()
    assert "Sign in with ana@example.org (verified) to accept this invitation." in page
    with pytest.raises(actions.NotAllowed, match=r"Sign in with ana@example.org \(verified\)"):
        actions.accept_invitation(invitation, eve)
    assert tables(org) == before


# ---- members ---------------------------------------------------------------------------------------


def _membership(email):
    return Membership.objects.select_related("organization", "user").get(user__email=email)


def test_changing_a_role_on_the_page_and_with_the_action_is_the_same(org, signed_in, member):
    page = signed_in(Role.OWNER)
    member(Role.VIEWER, email="ana@example.org")
    member(Role.VIEWER, email="bo@example.org")
    response = page.post(
        f"/w/{org.slug}/members/{_membership('ana@example.org').pk}", {"action": "role", "role": "issuer"}
    )
    assert response.status_code == 302
    actions.change_member_role(_membership("bo@example.org"), "issuer", CLI)
    assert _membership("ana@example.org").role == _membership("bo@example.org").role == "issuer"
    assert rows(org, "member.role_changed") == [
        ("member.role_changed", "ana@example.org", "viewer -> issuer", "user"),
        ("member.role_changed", "bo@example.org", "viewer -> issuer", "cli"),
    ]


def test_removing_on_the_page_and_with_the_action_is_the_same(org, signed_in, member):
    page = signed_in(Role.ADMIN)
    member(Role.ISSUER, email="ana@example.org")
    member(Role.ISSUER, email="bo@example.org")
    assert page.post(f"/w/{org.slug}/members/{_membership('ana@example.org').pk}", {"action": "remove"})
    actions.remove_member(_membership("bo@example.org"), CLI)
    assert not Membership.objects.filter(user__email__in=["ana@example.org", "bo@example.org"]).exists()
    assert without_actor(rows(org, "member.removed")) == [
        ("member.removed", "ana@example.org", ""),
        ("member.removed", "bo@example.org", ""),
    ]


def test_an_organization_keeps_one_owner_whichever_way_it_is_asked(org, signed_in):
    page = signed_in(Role.OWNER)
    mine = _membership(page.user.email)
    before = tables(org)
    for data in ({"action": "remove"}, {"action": "role", "role": "admin"}):
        response = page.post(f"/w/{org.slug}/members/{mine.pk}", data, follow=True)
        assert "An organization keeps at least one owner." in response.content.decode()
    for change in (
        lambda: actions.remove_member(mine, CLI),
        lambda: actions.change_member_role(mine, "admin", CLI),
    ):
        with pytest.raises(ValidationError, match=r"An organization keeps at least one owner\."):
            change()
    assert tables(org) == before


def test_only_an_owner_changes_an_owner_whichever_way_it_is_asked(org, signed_in, member):
    page = signed_in(Role.ADMIN)
    member(Role.OWNER, email="boss@example.org")
    boss = _membership("boss@example.org")
    admin = Actor.for_user(member(Role.ADMIN, email="admin2@example.org"))
    before = tables(org)
    for data in ({"action": "remove"}, {"action": "role", "role": "viewer"}):
        response = page.post(f"/w/{org.slug}/members/{boss.pk}", data)
        assert response.status_code == 403 and b"Only an owner can change another owner." in response.content
    for change in (
        lambda: actions.remove_member(boss, admin),
        lambda: actions.change_member_role(boss, "viewer", admin),
    ):
        with pytest.raises(actions.NotAllowed, match=r"Only an owner can change another owner\."):
            change()
    # nor makes one
    viewer = Membership.objects.create(organization=org, user=make_user("v@example.org"), role="viewer")
    response = page.post(f"/w/{org.slug}/members/{viewer.pk}", {"action": "role", "role": "owner"})
    assert response.status_code == 403 and b"That role cannot be given here." in response.content
    with pytest.raises(actions.NotAllowed, match=r"That role cannot be given here\."):
        actions.change_member_role(viewer, "owner", admin)
    assert tables(org)[1:] == before[1:] and _membership("v@example.org").role == "viewer"


# ---- settings ---------------------------------------------------------------------------------------


def test_settings_saved_on_the_page_and_with_the_action_leave_the_same_row(org, signed_in):
    page = signed_in(Role.ADMIN)
    data = {"name": "Acme Academy", "url": "https://acme.example", "email": "certs@acme.example"}
    form = {**data, "brand_color": "#AA3300", "show_powered_by": "on"}
    assert page.post(f"/w/{org.slug}/settings", form).status_code == 302
    org.refresh_from_db()
    assert (org.name, org.brand_color) == ("Acme Academy", "#aa3300")
    changed = actions.update_organization_settings(
        org, {**data, "name": "Acme Institute", "brand_color": "#003366"}, None, CLI
    )
    assert changed == ["name", "brand_color"]
    assert rows(org, "organization.updated") == [
        ("organization.updated", "acme", "name, brand_color", "user"),
        ("organization.updated", "acme", "name, brand_color", "cli"),
    ]


def test_bad_settings_are_refused_on_the_page_and_in_the_action(org, signed_in, member):
    page = signed_in(Role.ADMIN)
    before = (Organization.objects.values().get(pk=org.pk), tables(org))
    response = page.post(f"/w/{org.slug}/settings", {"name": "Acme", "brand_color": "red"})
    assert response.status_code == 200 and "use a colour like #1d3f6e" in response.content.decode()
    with pytest.raises(ValidationError) as refused:
        actions.update_organization_settings(org, {"brand_color": "red"}, None, CLI)
    assert refused.value.message_dict == {"brand_color": ["a colour like #1d3f6e"]}
    issuer = Actor.for_user(member(Role.ISSUER, email="i@example.org"))
    with pytest.raises(actions.NotAllowed):
        actions.update_organization_settings(org, {"name": "Mine now"}, None, issuer)
    assert Organization.objects.values().get(pk=org.pk) == before[0]
    assert tables(org)[2] == before[1][2]


def test_powered_by_is_turned_off_on_the_page_or_by_the_action_with_an_audit_row(org, signed_in):
    page = signed_in(Role.ADMIN)
    form = {"name": org.name, "url": org.url, "email": org.email, "brand_color": org.brand_color}
    box = re.search(
        r'<input type="checkbox" name="show_powered_by"[^>]*>', page.get(f"/w/{org.slug}/settings").text
    )
    assert box and "checked" in box.group(0)  # on by default
    assert page.post(f"/w/{org.slug}/settings", form).status_code == 302  # the box unticked
    org.refresh_from_db()
    assert org.show_powered_by is False
    assert actions.update_organization_settings(org, {"show_powered_by": True}, None, CLI) == [
        "show_powered_by"
    ]
    assert rows(org, "organization.updated") == [
        ("organization.updated", "acme", "show_powered_by", "user"),
        ("organization.updated", "acme", "show_powered_by", "cli"),
    ]


# ---- email templates ----------------------------------------------------------------------------------


def test_an_email_template_saved_and_reset_on_the_page_and_with_the_action(org, signed_in):
    page = signed_in(Role.ADMIN)
    url = f"/w/{org.slug}/email-templates/issued/"
    form = {"subject": "Your {{ achievement_name }}", "body": "Hello {{ recipient_name }}", "action": "save"}
    assert page.post(url, form).status_code == 302
    saved = EmailTemplate.objects.get(organization=org, achievement=None, kind="issued")
    assert (saved.subject, saved.body) == ("Your {{ achievement_name }}", "Hello {{ recipient_name }}")
    assert page.post(url, {**form, "action": "reset"}).status_code == 302
    assert not EmailTemplate.objects.exists()
    delivery_actions.save_email_template(
        org, "issued", None, subject=form["subject"], body=form["body"], actor=CLI
    )
    assert delivery_actions.reset_email_template(org, "issued", None, actor=CLI)
    assert not delivery_actions.reset_email_template(org, "issued", None, actor=CLI)  # nothing left
    saved_row = ("email_template.saved", "issued email", "Your {{ achievement_name }}")
    reset_row = ("email_template.reset", "issued email", "")
    assert rows(org, "email_template.") == [
        (*saved_row, "user"),
        (*reset_row, "user"),
        (*saved_row, "cli"),
        (*reset_row, "cli"),
    ]


def test_a_bad_email_template_is_refused_on_the_page_and_in_the_action(org, signed_in, member):
    page = signed_in(Role.ADMIN)
    bad = {"subject": "Hi {{ nickname }}", "body": "Hello", "action": "save"}
    response = page.post(f"/w/{org.slug}/email-templates/issued/", bad)
    assert response.status_code == 400 and "unknown merge tag {{ nickname }}" in response.content.decode()
    with pytest.raises(TemplateError) as refused:
        delivery_actions.save_email_template(
            org, "issued", None, subject=bad["subject"], body="Hi", actor=CLI
        )
    assert list(refused.value.errors) == ["subject"] and "{{ nickname }}" in refused.value.errors["subject"]
    issuer = Actor.for_user(member(Role.ISSUER, email="i@example.org"))
    with pytest.raises(actions.NotAllowed):
        delivery_actions.save_email_template(org, "issued", None, subject="Hi", body="Hello", actor=issuer)
    assert not EmailTemplate.objects.exists() and rows(org, "email_template.") == []


# ---- API keys: the Developers page and the command line -----------------------------------------------


def _form_token(client, org) -> str:
    page = client.get(f"/w/{org.slug}/developers/").content.decode()
    return re.search(r'name="form_token" value="([^"]+)"', page).group(1)


def _page_creates_key(client, org, name, scope):
    data = {"name": name, "scope": scope, "form_token": _form_token(client, org)}
    return client.post(f"/w/{org.slug}/developers/keys/new", data)


def test_a_key_created_and_revoked_on_the_page_and_with_the_command_is_the_same(org, signed_in, capsys):
    page = signed_in(Role.ADMIN)
    assert _page_creates_key(page, org, "Moodle", "issue").status_code == 200
    assert main(["apikey", "create", "--org", "acme", "--scope", "issue", "--name", "Moodle"]) == 0
    by_page, by_cli = ApiKey.objects.order_by("id")
    assert (by_page.name, by_page.scope, by_page.created_by) == ("Moodle", "issue", page.user)
    assert (by_cli.name, by_cli.scope, by_cli.created_by) == ("Moodle", "issue", None)

    assert page.post(f"/w/{org.slug}/developers/keys/{by_page.prefix}/revoke").status_code == 302
    assert main(["apikey", "revoke", by_cli.prefix]) == 0
    assert all(k.revoked_at for k in ApiKey.objects.all())
    # twice: nothing more happens, and both say so
    again = page.post(f"/w/{org.slug}/developers/keys/{by_page.prefix}/revoke", follow=True)
    assert "was already revoked" in again.content.decode()
    capsys.readouterr()
    assert main(["apikey", "revoke", by_cli.prefix]) == 0
    assert "was already revoked" in capsys.readouterr().out

    entries = rows(org, "apikey.")
    assert without_actor(entries) == [
        ("apikey.created", f"csk_{by_page.prefix}_…", "Moodle (issue)"),
        ("apikey.created", f"csk_{by_cli.prefix}_…", "Moodle (issue)"),
        ("apikey.revoked", f"csk_{by_page.prefix}_…", "Moodle"),
        ("apikey.revoked", f"csk_{by_cli.prefix}_…", "Moodle"),
    ]
    assert [e[3] for e in entries] == ["user", "cli", "user", "cli"]
    labels = set(AuditEntry.objects.filter(actor_kind="cli").values_list("actor_label", flat=True))
    assert len(labels) == 1 and labels.pop().startswith("command line")


def test_a_key_without_a_name_is_refused_on_the_page_and_by_the_command(org, signed_in, capsys):
    page = signed_in(Role.ADMIN)
    response = _page_creates_key(page, org, "  ", "read")
    assert response.status_code == 422
    assert "Give the key a name, e.g. the system that will use it." in response.content.decode()
    capsys.readouterr()
    assert main(["apikey", "create", "--org", "acme", "--name", "  "]) == 2
    assert "name: Give the key a name, e.g. the system that will use it." in capsys.readouterr().err
    with pytest.raises(ValidationError) as refused:
        create_api_key(org, name="x" * 101, scope="read", actor=CLI)
    assert refused.value.message_dict == {"name": ["At most 100 characters."]}
    assert not ApiKey.objects.exists() and rows(org, "apikey.") == []


# ---- webhook endpoints: the Developers pages and the JSON API -----------------------------------------


class ViaPages:
    kind = "user"

    def __init__(self, client, org):
        self.client, self.base = client, f"/w/{org.slug}/developers/webhooks/"
        self.org = org

    def create(self, url):
        token = re.search(
            r'name="form_token" value="([^"]+)"', self.client.get(self.base + "new").content.decode()
        ).group(1)
        response = self.client.post(
            self.base + "new", {"url": url, "description": "CRM", "events": "all", "form_token": token}
        )
        return response.status_code, response.content.decode()

    def update(self, public_id, url):
        response = self.client.post(
            f"{self.base}{public_id}/", {"url": url, "description": "CRM v2", "events": "all"}
        )
        return response.status_code, response.content.decode()

    def set_enabled(self, public_id, on):
        self.client.post(f"{self.base}{public_id}/{'enable' if on else 'disable'}")

    def rotate(self, public_id):
        self.client.post(f"{self.base}{public_id}/rotate")

    def end_overlap(self, public_id):
        self.client.post(f"{self.base}{public_id}/rotate/end-overlap")

    def redeliver(self, public_id, delivery):
        response = self.client.post(
            f"{self.base}{public_id}/deliveries/{delivery.message.msg_id}/redeliver", follow=True
        )
        return response.content.decode()

    def delete(self, public_id):
        self.client.post(f"{self.base}{public_id}/delete")


class ViaApi:
    kind = "api_key"

    def __init__(self, client):
        self.client, self.base = client, "/api/v1/webhooks/endpoints"

    def create(self, url):
        response = self.client.post(self.base, {"url": url, "description": "CRM"})
        return response.status_code, response.content.decode()

    def update(self, public_id, url):
        response = self.client.request(
            "PATCH", f"{self.base}/{public_id}", {"url": url, "description": "CRM v2"}
        )
        return response.status_code, response.content.decode()

    def set_enabled(self, public_id, on):
        self.client.request("PATCH", f"{self.base}/{public_id}", {"enabled": on})

    def rotate(self, public_id):
        self.client.post(f"{self.base}/{public_id}/rotate-secret")

    def end_overlap(self, public_id):
        self.client.request("DELETE", f"{self.base}/{public_id}/previous-secret")

    def redeliver(self, public_id, delivery):
        response = self.client.post(f"{self.base}/{public_id}/deliveries/{delivery.pk}/redeliver")
        return response.status_code, response.content.decode()

    def delete(self, public_id):
        self.client.request("DELETE", f"{self.base}/{public_id}")


def _plain(detail: str, url: str, msg_id: str) -> str:
    """An audit detail without what differs between two runs: the receiver's URL, a message id, a time."""
    detail = detail.replace(url, "URL").replace(msg_id, "MSG")
    return re.sub(r"\d{4}-\d\d-\d\d \d\d:\d\d", "TIME", detail)


def _run_endpoint_story(way, receiver, settings) -> tuple[list, dict]:
    """Create, edit, off, refused redelivery, on, redelivery, rotate, end overlap, delete."""
    settings.CREDSTACK_WEBHOOKS_ALLOW_PRIVATE = True
    status, _ = way.create(receiver.url)
    assert status in (200, 201)
    endpoint = WebhookEndpoint.objects.order_by("-id").first()
    pid = endpoint.public_id
    assert way.update(pid, receiver.url + "?v=2")[0] in (200, 302)
    delivery = webhook_actions.send_test_event(endpoint)  # something to redeliver
    way.set_enabled(pid, False)
    before = AuditEntry.objects.count()
    refused = way.redeliver(pid, delivery)
    assert AuditEntry.objects.count() == before  # refused: nothing written
    way.set_enabled(pid, True)
    way.redeliver(pid, delivery)
    way.rotate(pid)
    way.end_overlap(pid)
    way.delete(pid)
    assert not WebhookEndpoint.objects.filter(public_id=pid).exists()
    entries = [
        (
            e.action,
            e.detail.replace(receiver.url, "URL").replace(delivery.message.msg_id, "MSG"),
            e.actor_kind,
        )
        for e in AuditEntry.objects.filter(target=pid, action__startswith="webhook.").order_by("id")
        if e.action != "webhook.test_sent"
    ]
    return entries, {"refused": refused}


def test_an_endpoint_story_through_the_pages_and_the_api_leaves_the_same_audit_trail(
    org, signed_in, api_for, receiver, settings
):
    by_page, page_out = _run_endpoint_story(ViaPages(signed_in(Role.ADMIN), org), receiver, settings)
    by_api, api_out = _run_endpoint_story(ViaApi(api_for(org, "admin")), receiver, settings)
    assert [e[:2] for e in by_page] == [e[:2] for e in by_api]
    assert [e[0] for e in by_page] == [
        "webhook.created",
        "webhook.updated",
        "webhook.disabled",
        "webhook.enabled",
        "webhook.redelivered",
        "webhook.secret_rotated",
        "webhook.previous_secret_ended",
        "webhook.deleted",
    ]
    assert {e[2] for e in by_page} == {"user"} and {e[2] for e in by_api} == {"api_key"}
    # the refused redelivery: the same condition, each entry point's way of saying it
    assert "The endpoint is off: turn it on again before redelivering." in page_out["refused"]
    status, body = api_out["refused"]
    assert status == 409 and "the endpoint is off" in body
    assert WebhookDelivery.objects.count() == 0  # deleted with their endpoints


def test_a_private_url_is_refused_the_same_way_by_the_page_and_the_api(org, signed_in, api_for):
    page_status, page_html = ViaPages(signed_in(Role.ADMIN), org).create("http://127.0.0.1:9/hook")
    api_status, api_body = ViaApi(api_for(org, "admin")).create("http://127.0.0.1:9/hook")
    assert page_status == 422 and "not a public address" in page_html
    assert api_status in (400, 422) and "not a public address" in api_body
    assert not WebhookEndpoint.objects.exists() and rows(org, "webhook.") == []
