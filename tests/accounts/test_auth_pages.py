"""The sign-in, sign-up and password-reset pages speak like the rest of the workspace: "Sign in" (not
"Sign In"), labels without colons, the remember-me box beside its label, help and errors under their box."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.django_db


def _labels(html: str) -> list[str]:
    return re.findall(r"<label for=\"[^\"]+\">([^<]*)</label>", html)


def test_sign_in_page(client):
    html = client.get("/accounts/login/").content.decode()
    assert "<title>Sign in · credstack</title>" in html
    assert "<h1>Sign in</h1>" in html and re.search(r"<button[^>]*type=\"submit\"\s*>Sign in</button>", html)
    assert "Sign In" not in html and "Remember Me" not in html
    # the password form, then single sign-on's discovery by work email (decision 0055)
    assert _labels(html) == ["Email", "Password", "Remember me", "Your work address"]
    # the checkbox and its label share one line, the box first
    assert re.search(
        r'<div class="field field-check"><input type="checkbox" name="remember" id="id_remember"> '
        r'<label for="id_remember">Remember me</label>',
        html,
    )
    # "Forgot your password?" is the password box's description
    assert 'aria-describedby="id_password_helptext"' in html
    assert re.search(
        r'id="id_password_helptext"><a href="/accounts/password/reset/">Forgot your password\?', html
    )
    assert re.search(r'No account yet\? <a href="/accounts/signup/">Sign up</a>', html)


def test_a_wrong_password_is_said_at_the_top_of_the_form(client, member):
    member("viewer", email="pat@example.org")
    r = client.post("/accounts/login/", {"login": "pat@example.org", "password": "not it"})
    html = r.content.decode()
    assert r.status_code == 200
    assert re.search(
        r'<div role="alert"><ul class="errorlist nonfield"><li>The email address and/or password', html
    )
    assert 'value="pat@example.org"' in html  # typed address kept


def test_sign_up_page_labels_help_and_errors(client):
    html = client.get("/accounts/signup/").content.decode()
    assert "<title>Sign up · credstack</title>" in html and "<h1>Sign up</h1>" in html
    assert _labels(html) == ["Email", "Password", "Password (again)"]
    assert "Sign Up" not in html and "Signup" not in html
    # the password rules are the first box's description, shown under it
    assert 'aria-describedby="id_password1_helptext"' in html
    assert re.search(r'<div class="help" id="id_password1_helptext"><ul><li>Your password', html)

    r = client.post(
        "/accounts/signup/", {"email": "x@uni.example", "password1": "a long pass 42", "password2": "other"}
    )
    html = r.content.decode()
    assert re.search(r'aria-invalid="true"[^>]*id="id_password2"', html)
    assert re.search(
        r'id="id_password2">.*?<ul class="errorlist"[^>]*><li>You must type the same password', html, re.S
    )


def test_password_reset_pages(client, member, mailoutbox, run_on_commit):
    html = client.get("/accounts/password/reset/").content.decode()
    assert "<title>Reset your password · credstack</title>" in html and "<h1>Reset your password</h1>" in html
    assert _labels(html) == ["Email"] and ">Send the link</button>" in html
    assert "Password Reset" not in html
    member("viewer", email="forgetful@example.org")
    with run_on_commit():
        r = client.post("/accounts/password/reset/", {"email": "forgetful@example.org"}, follow=True)
    assert "<h1>Check your email</h1>" in r.content.decode()
    link = re.search(r"http://testserver(/accounts/password/reset/key/\S+)", mailoutbox[-1].body).group(1)
    r = client.get(link, follow=True)
    html = r.content.decode()
    assert "<h1>Choose a new password</h1>" in html and _labels(html) == [
        "New password",
        "New password (again)",
    ]
    action = re.search(r'<form class="auth-form" method="post" action="([^"]+)"', html).group(1)
    r = client.post(
        action, {"password1": "a brand new phrase 77", "password2": "a brand new phrase 77"}, follow=True
    )
    assert "<h1>Password changed</h1>" in r.content.decode()
    r = client.post(
        "/accounts/login/", {"login": "forgetful@example.org", "password": "a brand new phrase 77"}
    )
    assert r.status_code == 302  # the new password signs in
