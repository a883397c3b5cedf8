"""Credential emails: content, templates with merge tags, tracking, failures, resend, expiry reminders."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from credstack import taskqueues
from credstack.credentials.models import CredentialEvent
from credstack.delivery import actions, rendering
from credstack.delivery.models import Delivery, EmailTemplate
from credstack.retry import POLICY
from tests.unchanged import changes_nothing

from .smtp_server import SMTPServer

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


def _linkedin_form(url: str) -> dict[str, str]:
    """The fields of a LinkedIn Add-to-profile link (it must be one)."""
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "www.linkedin.com", "/profile/add"), url
    return {k: v[0] for k, v in parse_qs(parts.query).items()}


def test_issued_email_links_to_linkedin_add_to_profile_and_the_page(client, org, achievement, issue):
    achievement.name = "Data & Ethics: Part 1"
    achievement.save(update_fields=["name"])
    expires = timezone.now() + timedelta(days=730)
    credential = issue(name="Grace Hopper", valid_until=expires)
    [message] = mail.outbox
    assert "share it on LinkedIn from the links below" in message.body
    want = {
        "startTask": "CERTIFICATION_NAME",
        "name": "Data & Ethics: Part 1",
        "organizationName": "Acme Training",
        "issueYear": str(credential.issued_at.year),
        "issueMonth": str(credential.issued_at.month),
        "expirationYear": str(expires.year),
        "expirationMonth": str(expires.month),
        "certUrl": credential.uri,
        "certId": credential.public_id,
    }
    # the text part: the link itself, on its own line
    [line] = [x for x in message.body.splitlines() if x.startswith("Add it to your LinkedIn profile: ")]
    assert _linkedin_form(line.split(": ", 1)[1]) == want
    assert f"View your credential: {credential.uri}\n" in message.body
    # the HTML part: a button (tracked) that lands on the same pre-filled form, and the page's link
    html = message.alternatives[0][0]
    delivery = Delivery.objects.get(credential=credential)
    button = re.search(r'<a href="([^"]+)"[^>]*>Add to LinkedIn profile</a>', html).group(1)
    assert button == f"{settings.CREDSTACK_BASE_URL}/d/{delivery.token}/go/linkedin"
    response = client.get(f"/d/{delivery.token}/go/linkedin")
    assert response.status_code == 302 and _linkedin_form(response["Location"]) == want
    assert "linkedin" in _events(credential)  # counted as "Added to LinkedIn" in the workspace
    assert re.search(rf'<a href="[^"]+/go/page"[^>]*>{re.escape(credential.uri)}</a>', html)
    # untracked (the editor's preview): the form's link itself, escaped for HTML
    preview = rendering.render_message(credential, *rendering.template_for(credential))
    href = re.search(r'<a href="([^"]+)"[^>]*>Add to LinkedIn profile</a>', preview.html).group(1)
    assert "&amp;" in href and _linkedin_form(unescape(href)) == want


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


@pytest.fixture
def smtp(settings):
    """A real SMTP server on 127.0.0.1 that Django's SMTP backend sends to."""
    server = SMTPServer()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", server.port, 5
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    yield server
    server.close()


def test_an_email_is_retried_after_a_transient_smtp_failure(smtp, org, issue, admin_client):
    smtp.busy_next = 1  # the first connection is answered "421 try again later"
    credential = issue(name="Grace Hopper", email="grace@example.org")
    delivery = Delivery.objects.get(credential=credential)
    assert (delivery.state, delivery.attempts) == ("retrying", 1)
    assert "SMTPConnectError" in delivery.error and "421" in delivery.error
    waited = (delivery.next_attempt_at - delivery.created_at).total_seconds()
    assert POLICY.delays[0] <= waited <= POLICY.delays[0] * (1 + POLICY.jitter) + 2
    assert smtp.messages == [] and _events(credential) == ["issued"]
    # the workspace says so: retrying (not failed, not sent), why, and when the next try is
    page = admin_client.get(f"/w/{org.slug}/credentials/{credential.public_id}/").content.decode()
    assert "pill-delivery-retrying" in page and "421" in page and "1 attempt so far, next try" in page

    assert actions.send_due(delivery.next_attempt_at - timedelta(seconds=1)) == 0  # not due yet
    assert actions.send_due(delivery.next_attempt_at) == 1
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts, delivery.error, delivery.next_attempt_at) == (
        "sent",
        2,
        "",
        None,
    )
    assert smtp.connections == 2 and smtp.envelopes[0][1] == ["<grace@example.org>"]
    [message] = smtp.messages
    assert message["Subject"] == "Your credential: Python Basics"
    assert message["X-Credstack-Delivery"] == delivery.token
    assert _events(credential) == ["issued", "delivered"]
    assert actions.send_due(delivery.next_attempt_at or timezone.now() + timedelta(days=9)) == 0
    assert len(smtp.messages) == 1  # sent once


def test_an_email_that_keeps_failing_is_marked_failed_after_the_last_attempt(smtp, issue):
    smtp.busy_next = 100
    credential = issue()
    delivery = Delivery.objects.get(credential=credential)
    for attempt in range(2, POLICY.max_attempts + 1):
        assert delivery.state == "retrying" and delivery.attempts == attempt - 1
        assert actions.send_due(delivery.next_attempt_at) == 0
        delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts, delivery.next_attempt_at) == (
        "failed",
        POLICY.max_attempts,
        None,
    )
    assert smtp.connections == POLICY.max_attempts and "421" in delivery.error
    assert _events(credential) == ["issued", "delivery_failed"]
    note = CredentialEvent.objects.get(credential=credential, kind="delivery_failed").note
    assert f"after {POLICY.max_attempts} attempts" in note and "421" in note
    assert actions.delivery_state(credential) == "failed"
    assert (
        actions.send_due(timezone.now() + timedelta(days=30)) == 0 and smtp.connections == POLICY.max_attempts
    )
    # a resend after the server is back is a new email, sent at once
    smtp.busy_next = 0
    actions.resend(credential)
    assert actions.delivery_state(credential) == "sent" and len(smtp.messages) == 1


def test_a_refused_recipient_fails_at_once_without_retries(smtp, issue):
    smtp.rcpt_reply = "550 5.1.1 no such mailbox here"
    credential = issue()
    delivery = Delivery.objects.get(credential=credential)
    assert (delivery.state, delivery.attempts, delivery.next_attempt_at) == ("failed", 1, None)
    assert "550" in delivery.error and "no such mailbox" in delivery.error
    assert (
        "permanent failure" in CredentialEvent.objects.get(credential=credential, kind="delivery_failed").note
    )


def test_with_nothing_listening_the_email_waits_for_its_retry(settings, issue):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2  # nothing listens
    credential = issue()
    delivery = Delivery.objects.get(credential=credential)
    assert delivery.state == "retrying" and "ConnectionRefusedError" in delivery.error
    assert "delivery_failed" not in _events(credential) and "delivered" not in _events(credential)


def test_with_a_deferring_worker_the_retry_is_queued_for_its_time(smtp, settings, issue):
    from django_tasks import task_backends

    credential = issue()
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend", "QUEUES": taskqueues.ALL}
    }
    smtp.busy_next = 1
    again = actions.queue_credential_email(credential, Delivery.Kind.RESEND)
    [first] = task_backends["default"].results  # the first attempt waits for the worker
    assert first.task.name == "send_email" and first.args == [again.pk] and first.task.run_after is None
    assert actions.attempt(again.pk).state == "retrying"
    again.refresh_from_db()
    retries = [r for r in task_backends["default"].results if r.task.run_after]
    assert len(retries) == 1 and retries[0].args == [again.pk]
    assert abs((retries[0].task.run_after - again.next_attempt_at).total_seconds()) < 1
    assert actions.attempt(again.pk).attempts == 1  # the worker ran it early: nothing happens


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


def test_a_batch_queues_one_task_for_its_first_attempts_and_each_email_goes_once(smtp, settings, achievement):
    from django_tasks import task_backends

    from credstack.credentials.actions import IssueRequest, issue_credentials

    settings.TASKS = {
        "default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend", "QUEUES": taskqueues.ALL}
    }
    results = issue_credentials(
        [
            IssueRequest(
                achievement=achievement, recipient_name=f"L {i}", recipient_email=f"l{i}@example.org"
            )
            for i in range(3)
        ]
    )
    deliveries = list(Delivery.objects.order_by("pk"))
    assert [d.credential_id for d in deliveries] == [r.credential.pk for r in results]
    [queued] = task_backends["default"].results  # one task for the batch, not one per email
    assert queued.task.name == "send_emails" and queued.args == [[d.pk for d in deliveries]]
    assert smtp.messages == []  # nothing sent before the worker runs it

    assert actions.send_emails.call([d.pk for d in deliveries]) == 3
    assert actions.send_emails.call([d.pk for d in deliveries]) == 3  # run again: nothing sent twice
    assert sorted(to for _, [to] in smtp.envelopes) == [
        "<l0@example.org>",
        "<l1@example.org>",
        "<l2@example.org>",
    ]
    assert set(Delivery.objects.values_list("state", flat=True)) == {"sent"}
