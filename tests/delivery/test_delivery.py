"""Credential emails: content, templates with merge tags, tracking, failures, resend, expiry reminders."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from credstack.credentials.models import CredentialEvent
from credstack.delivery import actions
from credstack.delivery.models import Delivery, EmailTemplate
from tests.unchanged import changes_nothing

pytestmark = pytest.mark.django_db(transaction=True)


def _events(credential) -> list[str]:
    return list(CredentialEvent.objects.filter(credential=credential).values_list("kind", flat=True))


def test_issued_email_has_name_achievement_links_in_html_and_text(issue):
    credential = issue(name="أحمد الفارسي")
    [message] = mail.outbox
    assert message.subject == "Your credential: Python Basics"
    assert "أحمد الفارسي" in message.body and "Acme Training" in message.body
    for suffix in ("", ".pdf", ".png", ".json"):
        assert f"{credential.uri}{suffix}\n" in message.body
    html = message.alternatives[0][0]
    delivery = Delivery.objects.get(credential=credential)
    assert f"/d/{delivery.token}/go/page" in html and f"/d/{delivery.token}/open.gif" in html
    assert "#1d3f6e" in html  # the organization's brand colour
    assert delivery.state == "sent" and _events(credential) == ["issued", "delivered"]


@pytest.mark.parametrize(("colour", "text_on_it"), [("#1d3f6e", "#ffffff"), ("#ffe14d", "#111827")])
def test_text_on_the_brand_colour_stays_readable(org, issue, colour, text_on_it):
    org.brand_color = colour
    org.save(update_fields=["brand_color"])
    issue()
    html = mail.outbox[-1].alternatives[0][0]
    button = re.search(r'style="([^"]*)">View your credential</a>', html).group(1)
    assert f"background:{colour}" in button and f"color:{text_on_it}" in button


def test_open_and_click_are_recorded(client, issue):
    credential = issue()
    delivery = Delivery.objects.get(credential=credential)
    pixel = client.get(f"/d/{delivery.token}/open.gif")
    assert pixel.status_code == 200 and pixel["Content-Type"] == "image/gif"
    client.get(f"/d/{delivery.token}/open.gif")  # counted once
    delivery.refresh_from_db()
    assert delivery.state == "opened" and delivery.opened_at
    response = client.get(f"/d/{delivery.token}/go/pdf")
    assert response.status_code == 302 and response["Location"] == f"/c/{credential.public_id}.pdf"
    delivery.refresh_from_db()
    assert delivery.state == "clicked" and delivery.clicked_at
    assert _events(credential).count("opened") == 1 and _events(credential).count("clicked") == 1
    assert actions.delivery_state(credential) == "clicked"
    # no open redirect, no unknown tokens
    assert client.get(f"/d/{delivery.token}/go/https:%2F%2Fevil.example").status_code == 404
    assert client.get("/d/nope/go/page").status_code == 404
    portal = client.get(f"/d/{delivery.token}/go/portal")
    assert portal["Location"] == f"/me/login?d={delivery.token}"
    assert 'value="ada@example.org"' in client.get(portal["Location"]).content.decode()


def test_failed_delivery_is_recorded(settings, issue):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2  # nothing listens
    credential = issue()
    delivery = Delivery.objects.get(credential=credential)
    assert delivery.state == "failed" and "ConnectionRefusedError" in delivery.error
    assert "delivery_failed" in _events(credential) and "delivered" not in _events(credential)


def test_first_email_goes_once_resend_goes_again(issue, django_capture_on_commit_callbacks):
    credential = issue()
    assert actions.send_credential_email(credential.pk) is None  # already delivered
    with django_capture_on_commit_callbacks(execute=True):
        actions.resend(credential)
    assert len(mail.outbox) == 2
    assert list(Delivery.objects.filter(credential=credential).values_list("kind", flat=True)) == [
        "resend",
        "issued",
    ]


def test_achievement_template_beats_organization_template(org, achievement, issue):
    EmailTemplate.objects.create(
        organization=org, subject="From {{ issuer_name }}", body="Org body for {{ recipient_name }}."
    )
    first = issue(name="Ann Org")
    assert mail.outbox[-1].subject == "From Acme Training" and "Org body for Ann Org." in mail.outbox[-1].body
    EmailTemplate.objects.create(
        organization=org,
        achievement=achievement,
        subject="{{ achievement_name }} is yours, {{ recipient_name }}",
        body="Well done!\n\nExpires: {{ expiry_date }}.",
    )
    issue(name="Bea Ach", email="bea@example.org")
    assert mail.outbox[-1].subject == "Python Basics is yours, Bea Ach"
    assert "Well done!" in mail.outbox[-1].body and "<p>Well done!</p>" in mail.outbox[-1].alternatives[0][0]
    assert first.pk


@pytest.fixture
def admin_client(client, org):
    from credstack.organizations.models import Membership

    user = get_user_model().objects.create_user("admin1", "admin1@acme.example", "pw-long-enough-123")
    Membership.objects.create(user=user, organization=org, role="admin")
    client.force_login(user)
    return client


def test_editor_previews_and_saves_with_merge_tags(admin_client, org, achievement):
    url = f"/w/acme/email-templates/issued/{achievement.public_id}/"
    page = admin_client.get(url)
    assert page.status_code == 200 and "Preview" in page.content.decode()
    response = admin_client.post(
        url, {"subject": "Hi {{ recipient_name }}", "body": "Body <b>x</b>", "action": "preview"}
    )
    html = response.content.decode()
    assert response.status_code == 200 and "Hi Amélie Dubois-Fontaine" in html
    assert "&amp;lt;b&amp;gt;x" in html  # escaped in the email, and the email escaped in the page
    assert "<b>x</b>" not in html
    assert not EmailTemplate.objects.exists()  # preview saves nothing
    response = admin_client.post(
        url, {"subject": "Hi {{ recipient_name }}", "body": "Hello", "action": "save"}
    )
    assert response.status_code == 302
    row = EmailTemplate.objects.get()
    assert row.achievement == achievement and row.subject == "Hi {{ recipient_name }}"


@pytest.mark.parametrize(
    "subject,body,field,message",
    [
        ("Hi {{ nme }}", "ok", "subject", "unknown merge tag {{ nme }}"),
        ("Hi", "Dear {{ recipient }}", "body", "unknown merge tag {{ recipient }}"),
        ("", "ok", "subject", "is required"),
        ("Hi\nthere", "ok", "subject", "must be one line"),
        ("Hi", "bad \x07 bell", "body", "control character"),
    ],
)
def test_editor_refuses_bad_templates_and_saves_nothing(admin_client, org, subject, body, field, message):
    with changes_nothing():
        response = admin_client.post(
            "/w/acme/email-templates/issued/", {"subject": subject, "body": body, "action": "save"}
        )
    assert response.status_code == 400
    assert message in response.content.decode().replace("&#x27;", "'")
    assert not EmailTemplate.objects.exists()


def test_editor_is_for_admins_of_that_organization(client, org, db):
    from credstack.organizations.actions import create_organization
    from credstack.organizations.models import Membership

    other = create_organization(slug="globex", name="Globex")
    user = get_user_model().objects.create_user("v", "v@x.example", "pw-long-enough-123")
    Membership.objects.create(user=user, organization=org, role="viewer")
    Membership.objects.create(user=user, organization=other, role="admin")
    client.force_login(user)
    assert client.get("/w/acme/email-templates/").status_code == 403
    assert client.get("/w/globex/email-templates/").status_code == 200
    assert client.get("/w/initech/email-templates/").status_code == 404


def test_expiry_reminders_go_once(issue):
    soon = issue(valid_until=timezone.now() + timedelta(days=10))
    issue(email="later@example.org", valid_until=timezone.now() + timedelta(days=200))
    issue(email="never@example.org")
    mail.outbox.clear()
    call_command("send_expiry_reminders")
    assert [m.to for m in mail.outbox] == [[soon.recipient_email]]
    assert re.match(r"Your credential Python Basics expires on \d+ \w+ \d{4}", mail.outbox[0].subject)
    call_command("send_expiry_reminders")
    assert len(mail.outbox) == 1


def test_names_with_markup_are_escaped_everywhere(admin_client, client, issue):
    evil = '<img src=x onerror="alert(1)">'
    credential = issue(name=evil)
    assert evil not in mail.outbox[-1].alternatives[0][0]
    html = admin_client.post(
        "/w/acme/email-templates/issued/",
        {"subject": "Hi {{ recipient_name }}", "body": "{{ recipient_name }}", "action": "preview"},
    ).content.decode()
    assert "<img src=x" not in html
    assert "<img src=x" not in client.get(f"/c/{credential.public_id}").content.decode()
