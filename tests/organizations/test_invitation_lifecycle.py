"""Issue 13 (Low): invitations expire (CREDSTACK_INVITATION_DAYS, 7 by default) and can be withdrawn.
Before: an invitation link worked forever and nobody could take it back."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from credstack.organizations import actions
from credstack.organizations.actors import Actor
from credstack.organizations.models import AuditEntry, Invitation, Membership, Role
from tests.workspace.conftest import make_user

CLI = Actor.command_line("ops")


def _link(invitation: Invitation) -> str:
    return f"/w/invitations/{invitation.token}"


def test_an_invitation_is_valid_seven_days_and_says_so(org, run_on_commit):
    before = timezone.now()
    with run_on_commit():
        invitation = actions.invite_member(org, "ana@example.org", "issuer", CLI)
    assert before + timedelta(days=7) <= invitation.expires_at <= timezone.now() + timedelta(days=7)
    assert re.search(r"The invitation is valid until \d{4}-\d\d-\d\d", mail.outbox[-1].body)


def test_an_expired_invitation_link_says_so_and_joins_nobody(org, client, settings):
    settings.CREDSTACK_INVITATION_DAYS = 0  # expires as it is sent
    invitation = actions.invite_member(org, "ana@example.org", "issuer", CLI)
    ana = make_user("ana@example.org")
    client.force_login(ana)
    response = client.get(_link(invitation))
    assert response.status_code == 410
    assert "This invitation has expired. Ask the organization for a new one." in response.content.decode()
    assert client.post(_link(invitation)).status_code == 410
    with pytest.raises(ValidationError, match="expired"):
        actions.accept_invitation(invitation, ana)
    assert not Membership.objects.filter(user=ana).exists()
    # nor is it offered on the person's workspace home
    assert "Acme Training" not in client.get("/w/").content.decode()


def test_an_invitation_accepted_in_time_still_works(org, client):
    invitation = actions.invite_member(org, "ana@example.org", "issuer", CLI)
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() + timedelta(minutes=1))
    ana = make_user("ana@example.org")
    client.force_login(ana)
    assert client.post(_link(invitation)).status_code == 302
    assert Membership.objects.get(user=ana).role == Role.ISSUER


def test_an_admin_withdraws_an_invitation_from_the_members_page(org, signed_in, client):
    invitation = actions.invite_member(org, "ana@example.org", "issuer", CLI)
    admin = signed_in(Role.ADMIN)
    page = admin.get(f"/w/{org.slug}/members").content.decode()
    url = f"/w/{org.slug}/invitations/{invitation.pk}/withdraw"
    assert f'action="{url}"' in page and ">Withdraw</button>" in page and "valid until" in page
    response = admin.post(url)
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.withdrawn_at is not None and invitation.state == "withdrawn"
    assert AuditEntry.objects.filter(
        organization=org, action="member.invitation_withdrawn", target="ana@example.org", actor_kind="user"
    ).exists()
    page = admin.get(f"/w/{org.slug}/members").content.decode()
    assert "withdrawn: its link no longer works" in page  # the flash message
    assert "ana@example.org" not in admin.get(f"/w/{org.slug}/members").content.decode()  # not listed
    # its link says so
    admin.logout()
    ana = make_user("ana@example.org")
    client.force_login(ana)
    response = client.get(_link(invitation))
    assert response.status_code == 410 and "This invitation was withdrawn" in response.content.decode()
    assert client.post(_link(invitation)).status_code == 410
    assert not Membership.objects.filter(user=ana).exists()


def test_who_may_withdraw(org, signed_in, member, other_org):
    invitation = actions.invite_member(org, "ana@example.org", "issuer", CLI)
    owners = actions.invite_member(org, "boss@example.org", "owner", CLI)
    issuer = signed_in(Role.ISSUER)
    url = f"/w/{org.slug}/invitations/{invitation.pk}/withdraw"
    assert issuer.post(url).status_code == 403
    issuer.logout()
    admin = member(Role.ADMIN)
    with pytest.raises(actions.NotAllowed, match="Only an owner"):
        actions.withdraw_invitation(owners, Actor.for_user(admin))
    # another organization's invitation id: not found
    stranger = member(Role.OWNER, organization=other_org, email="owner@globex.example")
    issuer.force_login(stranger)
    assert issuer.post(f"/w/{other_org.slug}/invitations/{invitation.pk}/withdraw").status_code == 404
    assert Invitation.objects.get(pk=invitation.pk).withdrawn_at is None
    # an accepted one cannot be withdrawn; a withdrawn one not twice
    actions.withdraw_invitation(invitation, CLI)
    with pytest.raises(ValidationError, match="withdrawn"):
        actions.withdraw_invitation(invitation, CLI)


def test_no_email_leaves_for_a_withdrawn_invitation(org, run_on_commit):
    from credstack.organizations.tasks import send_invitation_email

    invitation = actions.invite_member(org, "ana@example.org", "issuer", CLI)
    actions.withdraw_invitation(invitation, CLI)
    assert send_invitation_email.call(invitation.pk, "ops") == "skipped"
    assert not mail.outbox
