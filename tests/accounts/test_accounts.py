"""Sign-up with email verification, then the first organization; password reset; TOTP available."""

from __future__ import annotations

import re

from django.core import mail

from credstack.organizations.models import Membership


def _link(mail, pattern):
    return re.search(pattern, mail.body).group(0)


def test_sign_up_verify_email_create_organization(client, mailoutbox, db, run_on_commit):
    with run_on_commit():
        r = client.post(
            "/accounts/signup/",
            {
                "email": "new@uni.example",
                "password1": "a long pass phrase 42",
                "password2": "a long pass phrase 42",
            },
        )
    assert r.status_code == 302
    assert client.get("/w/").status_code == 302  # not signed in until verified
    link = _link(mail.outbox[-1], r"http://testserver/accounts/confirm-email/\S+")
    client.post(link.replace("http://testserver", ""))
    r = client.get("/w/")
    assert r.status_code == 200 and "not in an organization yet" in r.content.decode()
    r = client.post(
        "/w/new", {"name": "Université de Test", "slug": "univ-test", "url": "https://u.example", "email": ""}
    )
    assert r.status_code == 302 and r["Location"] == "/w/univ-test/"
    assert Membership.objects.get().role == "owner"
    r = client.post("/w/new", {"name": "Dup", "slug": "univ-test"})
    assert "is taken" in r.content.decode()


def test_password_reset_mail(client, mailoutbox, member, run_on_commit):
    member("viewer", email="forgetful@example.org")
    with run_on_commit():
        client.post("/accounts/password/reset/", {"email": "forgetful@example.org"})
    assert "/accounts/password/reset/key/" in mail.outbox[-1].body


def test_invitation_flow(client, signed_in, org, mailoutbox, member, run_on_commit):
    admin = signed_in("admin")
    with run_on_commit():  # the invitation email leaves after the commit
        admin.post(f"/w/{org.slug}/members", {"email": "colleague@example.org", "role": "issuer"})
    link = _link(mail.outbox[-1], r"http://testserver/w/invitations/\S+").replace("http://testserver", "")
    admin.logout()
    stranger = member("viewer", organization=None, email="someone-else@example.org")
    client.force_login(stranger)
    assert "no verified email colleague@example.org" in client.get(link).content.decode()
    client.post(link)
    assert not Membership.objects.filter(user=stranger, role="issuer").exists()
    from tests.workspace.conftest import make_user

    colleague = make_user("colleague@example.org")
    client.force_login(colleague)
    assert client.post(link).status_code == 302
    assert Membership.objects.get(user=colleague).role == "issuer"


def test_two_factor_pages_are_available(signed_in):
    client = signed_in("viewer")
    assert client.get("/accounts/2fa/").status_code == 200
    assert client.get("/accounts/2fa/totp/activate/").status_code in (200, 302)


def test_totp_two_factor_is_asked_for_after_the_password(client, member):
    import time

    from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value

    user = member("owner", email="careful@example.org")
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    r = client.post(
        "/accounts/login/", {"login": "careful@example.org", "password": "correct horse battery staple"}
    )
    assert r.status_code == 302 and r["Location"] == "/accounts/2fa/authenticate/"
    assert client.get("/w/").status_code == 302  # not signed in yet
    r = client.post("/accounts/2fa/authenticate/", {"code": "000000"})
    assert "Incorrect code" in r.content.decode()
    code = format_hotp_value(hotp_value(secret, int(time.time()) // 30))
    r = client.post("/accounts/2fa/authenticate/", {"code": code})
    assert r.status_code == 302
    assert client.get("/w/").status_code == 302 and client.get("/w/acme/").status_code == 200
