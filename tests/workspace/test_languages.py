"""The workspace in its user's language, achievement translations edited there and shown to each viewer
in theirs, and learner emails in the course's or organization's language (issue 17)."""

from __future__ import annotations

import pytest
from django.core import mail

from credstack.accounts.models import Preferences
from credstack.learning import actions as learning_actions
from credstack.learning import emails
from credstack.learning.models import Learner
from credstack.organizations.actions import update_organization_settings
from credstack.organizations.actors import Actor
from credstack.organizations.models import AuditEntry
from credstack.portal.actions import request_code
from tests.courses.factory import make_course

pytestmark = pytest.mark.django_db
CLI = Actor.command_line()


def _lang(response) -> str:
    html = response.content.decode()
    return html.split('<html lang="', 1)[1].split('"', 1)[0]


def test_the_workspace_speaks_the_browser_language_until_the_user_chooses(signed_in, org):
    client = signed_in("owner")
    page = client.get(f"/w/{org.slug}/settings", HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9")
    assert _lang(page) == "fr" and "Enregistrer les paramètres" in page.content.decode()

    response = client.post("/w/language", {"language": "de"}, HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 302
    assert Preferences.objects.get(user=client.user).language == "de"
    assert AuditEntry.objects.filter(action="account.language", detail="de").exists()
    page = client.get(f"/w/{org.slug}/settings", HTTP_ACCEPT_LANGUAGE="fr")
    html = page.content.decode()
    assert _lang(page) == "de" and "<h1>Einstellungen</h1>" in html and ">Mitglieder<" in html  # sidebar too

    client.post("/w/language", {"language": "ar"})
    page = client.get(f"/w/{org.slug}/settings")
    assert 'lang="ar" dir="rtl"' in page.content.decode()


def test_a_language_credstack_does_not_speak_is_refused(signed_in):
    client = signed_in("owner")
    response = client.post("/w/language", {"language": "xx"}, follow=True)
    assert "Choose one of the languages listed." in response.content.decode()
    assert not Preferences.objects.filter(user=client.user).exclude(language="").exists()


def test_the_organization_language_is_a_setting(signed_in, org):
    client = signed_in("owner")
    form = {"name": org.name, "brand_color": org.brand_color, "language": "es"}
    assert client.post(f"/w/{org.slug}/settings", form).status_code == 302
    org.refresh_from_db()
    assert org.language == "es"
    course_page = client.get(f"/learn/{org.slug}/nope", HTTP_ACCEPT_LANGUAGE="en")
    assert course_page.status_code == 404


def test_translations_edited_in_the_workspace_shown_to_each_viewer(
    signed_in, org, achievement, issue, client
):
    owner = signed_in("owner")
    url = f"/w/{org.slug}/achievements/{achievement.public_id}/translations"
    owner.post(url, {"de-name": "Python-Grundlagen", "de-description": "Sechs Lektionen.", "ar-name": ""})
    achievement.refresh_from_db()
    assert achievement.translations == {
        "de": {"name": "Python-Grundlagen", "description": "Sechs Lektionen."}
    }
    bad = owner.post(url, {"xx-name": "?", "de-name": "x" * 201}, follow=True)
    achievement.refresh_from_db()
    assert "Python-Grundlagen" == achievement.translations["de"]["name"]
    assert "longer than 200" in bad.content.decode()

    credential = issue()
    owner.logout()
    german = client.get(f"/c/{credential.public_id}", HTTP_ACCEPT_LANGUAGE="de-DE,de;q=0.9")
    english = client.get(f"/c/{credential.public_id}", HTTP_ACCEPT_LANGUAGE="en")
    assert "<h1>Python-Grundlagen</h1>" in german.content.decode() and _lang(german) == "de"
    assert "<h1>Python Basics</h1>" in english.content.decode() and _lang(english) == "en"
    # the page cache keeps each language apart
    assert (
        "<h1>Python-Grundlagen</h1>"
        in client.get(f"/c/{credential.public_id}", HTTP_ACCEPT_LANGUAGE="de").content.decode()
    )
    # the signed credential keeps the text it was issued with
    assert credential.signed()["credentialSubject"]["achievement"]["name"] == "Python Basics"


def test_learner_emails_speak_the_organization_language(
    org, achievement, issue, django_capture_on_commit_callbacks
):
    update_organization_settings(org, {"language": "fr"}, None, CLI)
    org.refresh_from_db()
    course = make_course(org, achievement, lessons=1)
    learner = Learner.objects.create(email="lea@example.org", name="Léa")
    enrolment = learning_actions.enrol(course, learner)

    invitation = emails.invitation(enrolment, "lea@example.org")
    assert invitation.subject == "Vous êtes invité·e : Python in Five Lessons"
    assert "vous invite au cours" in invitation.body and "Commencer le cours" in invitation.body
    assert 'lang="fr" dir="ltr"' in invitation.alternatives[0][0]
    reminder = emails.review_reminder(enrolment, 3)
    assert reminder.subject.startswith("3 questions à réviser")

    request_code("lea@example.org", ip="127.0.0.1", org=org)
    assert mail.outbox[-1].subject.endswith("est votre code de connexion Acme Training")

    with django_capture_on_commit_callbacks(execute=True):  # the outbox sends the email after the commit
        issue(email="lea@example.org")
    issued = [m for m in mail.outbox if m.subject.startswith("Votre certificat : ")]
    assert issued and "Bonjour Ada Lovelace" in issued[-1].body and "Voir votre certificat" in issued[-1].body


def test_a_course_language_comes_before_the_organization_language(org, achievement):
    update_organization_settings(org, {"language": "fr"}, None, CLI)
    org.refresh_from_db()
    course = make_course(org, achievement, lessons=1, language="ar")
    learner = Learner.objects.create(email="omar@example.org", name="")
    enrolment = learning_actions.enrol(course, learner)
    message = emails.invitation(enrolment, "omar@example.org")
    assert message.subject.startswith("دعوة للانضمام") and 'dir="rtl"' in message.alternatives[0][0]
