"""A learner journey in German and in Arabic (right to left), in the browser (issue 17).

The organization speaks German (or Arabic) to its learners: the course page, the sign-in, the lessons,
the quiz, the completion page, the credential page and the emails are in that language; the page is
``<html lang dir>`` of it, laid out right to left for Arabic; the achievement shows the name it was given in
that language; the credential carries the language in its ``@context`` and verifies in the independent
verifier; the switcher in the footer turns the page into English for this viewer."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from credstack.achievements.actions import set_translations
from credstack.credentials.resolver import local_fetch
from credstack.learning.models import Enrolment
from credstack.organizations.actions import update_organization_settings
from credstack.organizations.actors import Actor
from credstack.vc import ob3
from tests.courses.factory import make_course
from tests.e2e.conftest import save_screenshot
from tests.interop.conftest import node_verifier as _node_verifier  # noqa: F401  (registers the fixture)

# real commits: the live server's threads see the rows, and the outbox delivers the email after them
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.interop]

WORDS = {
    "de": {
        "sign_in_to_enrol": "Anmelden und einschreiben",
        "email": "E-Mail-Adresse",
        "send": "Code per E-Mail senden",
        "code": "6-stelliger Code",
        "sign_in": "Anmelden",
        "code_subject": "ist Ihr Anmeldecode",
        "name": "Ihr Name, wie er auf Ihrem Nachweis stehen soll",
        "enrol": "Jetzt einschreiben – kostenlos",
        "take_quiz": "Gelesen – zum Quiz",
        "submit": "Antworten abgeben",
        "passed": "Bestanden – 100 %",
        "next": "Nächste Lektion",
        "completed": "Sie haben „{title}“ abgeschlossen",
        "view": "Nachweis ansehen",
        "valid": "Gültiger Nachweis",
        "issued_subject": "Ihr Nachweis: ",
        "achievement": "Python-Grundlagen",
        "lesson": "Lektion 1 von 2",
    },
    "ar": {
        "sign_in_to_enrol": "سجّل الدخول للالتحاق",
        "email": "عنوان البريد الإلكتروني",
        "send": "أرسل لي رمزًا",
        "code": "الرمز المكوّن من 6 أرقام",
        "sign_in": "تسجيل الدخول",
        "code_subject": "هو رمز الدخول إلى",
        "name": "اسمك كما تريده أن يظهر على شهادتك",
        "enrol": "سجّل مجانًا",
        "take_quiz": "قرأت الدرس، ابدأ الاختبار",
        "submit": "أرسل الإجابات",
        "passed": "ناجح: 100٪",
        "next": "الدرس التالي",
        "completed": "أكملت «{title}»",
        "view": "اعرض شهادتك",
        "valid": "شهادة صالحة",
        "issued_subject": "شهادتك: ",
        "achievement": "أساسيات بايثون",
        "lesson": "الدرس 1 من 2",
    },
}


def _code_for(email: str) -> str:
    message = next(m for m in reversed(mail.outbox) if email in m.to and re.search(r"\b\d{6}\b", m.subject))
    return re.search(r"\b(\d{6})\b", message.subject).group(1)


@pytest.mark.parametrize("lang", ["de", "ar"])
def test_learner_journey_in_the_organization_language(page, base_url, org, achievement, node_verifier, lang):
    words = WORDS[lang]
    update_organization_settings(org, {"language": lang}, None, Actor.command_line())
    set_translations(achievement, {lang: {"name": words["achievement"], "description": "…"}})
    course = make_course(org, achievement, lessons=2)
    email = f"learner-{lang}@example.org"

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"/learn/{org.slug}/{course.slug}")
    html = page.locator("html")
    expect(html).to_have_attribute("lang", lang)
    expect(html).to_have_attribute("dir", "rtl" if lang == "ar" else "ltr")
    save_screenshot(page, f"i18n-{lang}-course", full_page=True)
    if lang == "ar":  # right to left: the brand and the button's text start at the right edge
        brand, card = (
            page.locator(".topbar .brand").bounding_box(),
            page.locator(".course-hero").bounding_box(),
        )
        assert brand["x"] + brand["width"] > card["x"] + card["width"] - 40
    page.get_by_role("link", name=words["sign_in_to_enrol"]).click()
    page.get_by_label(words["email"]).fill(email)
    page.get_by_role("button", name=words["send"]).click()
    code_mail = next(m for m in reversed(mail.outbox) if email in m.to)
    assert words["code_subject"] in code_mail.subject  # the sign-in email in the organization's language
    page.get_by_label(words["code"]).fill(_code_for(email))
    page.get_by_role("button", name=words["sign_in"], exact=True).click()

    page.get_by_label(words["name"]).fill("أميرة Nakamura" if lang == "ar" else "Jürgen Weiß")
    page.get_by_role("button", name=words["enrol"]).click()
    for n in (1, 2):
        expect(page.get_by_text(f"Python is fun ({n}).")).to_be_visible()
        if n == 1:
            expect(page.get_by_text(words["lesson"])).to_be_visible()
            save_screenshot(page, f"i18n-{lang}-lesson", full_page=True)
        page.get_by_role("button", name=words["take_quiz"]).click()
        if n == 1:
            save_screenshot(page, f"i18n-{lang}-quiz", full_page=True)
        page.get_by_label(str(2 * n), exact=True).check()
        page.get_by_role("button", name=words["submit"]).click()
        if n == 1:
            expect(page.get_by_role("status")).to_contain_text(words["passed"])
            page.get_by_role("link", name=words["next"]).click()

    expect(page.get_by_role("heading", name=words["completed"].format(title=course.title))).to_be_visible()
    expect(page.get_by_role("heading", name=words["achievement"])).to_be_visible()
    save_screenshot(page, f"i18n-{lang}-complete", full_page=True)
    page.get_by_role("link", name=words["view"]).click()
    expect(page.get_by_role("status")).to_contain_text(words["valid"])
    expect(page.get_by_role("heading", name=words["achievement"], level=1)).to_be_visible()
    page.set_viewport_size({"width": 1280, "height": 900})
    save_screenshot(page, f"i18n-{lang}-credential", full_page=True)

    # the credential email, in the organization's language, names the achievement as it was issued
    enrolment = Enrolment.objects.select_related("credential").get(learner__email=email)
    issued = [m for m in mail.outbox if email in m.to and words["issued_subject"] in m.subject]
    assert issued and achievement.name in issued[-1].subject
    # the credential says which language its text is in, and verifies independently
    credential = enrolment.credential
    assert ob3.language_of(credential.signed()) == lang
    documents = {org.did: local_fetch(org.did)}
    entries = credential.signed()["credentialStatus"]
    for entry in entries if isinstance(entries, list) else [entries]:
        documents[entry["statusListCredential"]] = local_fetch(entry["statusListCredential"])
    result = node_verifier.verify(credential.signed(), documents, check_status=True)
    assert result["verified"] is True, result["errors"]

    # a viewer who prefers English says so in the footer: the same page, in English, for them
    page.get_by_role("navigation", name=re.compile("Language|Sprache|اللغة")).get_by_role(
        "link", name="English"
    ).click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("status")).to_contain_text("Valid credential")
    expect(page.get_by_role("heading", name=achievement.name, level=1)).to_be_visible()


def test_workspace_in_the_users_language_right_to_left(page, base_url, org, achievement):
    """An admin picks Arabic for their workspace: the settings page is in Arabic, laid out right to left
    (the sidebar on the right), and they give the achievement its name in German for German viewers."""
    from django.contrib.auth import get_user_model  # the user model: Django's apps are ready here
    from django.test import Client  # a signed-in session for the browser

    from credstack.organizations.models import Membership  # the models: apps ready

    user = get_user_model().objects.create_user("admin-ar", "admin@acme.example", "pw-long-enough-123")
    Membership.objects.create(organization=org, user=user, role="admin")
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base_url}]
    )
    page.goto("/w/language")
    page.get_by_label("العربية").check()
    page.get_by_role("button", name="Save").click()
    page.goto(f"/w/{org.slug}/settings")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.get_by_role("heading", name="الإعدادات", level=1)).to_be_visible()
    side, main = page.locator(".ws-side").bounding_box(), page.locator(".ws-main").bounding_box()
    assert side["x"] > main["x"]  # the sidebar on the right
    page.get_by_label("لغة المتعلمين").select_option("de")
    page.get_by_role("button", name="حفظ الإعدادات").click()
    expect(page.get_by_text("حُفظت الإعدادات")).to_be_visible()
    save_screenshot(page, "i18n-ar-workspace-settings", full_page=True)
    org.refresh_from_db()
    assert org.language == "de"

    page.goto(f"/w/{org.slug}/achievements/{achievement.public_id}/")
    page.locator("#t-de-name").fill("Python-Grundlagen")
    page.get_by_role("button", name="حفظ الترجمات").click()
    expect(page.get_by_text("حُفظت الترجمات")).to_be_visible()
    save_screenshot(page, "i18n-ar-workspace-translations", full_page=True)
    achievement.refresh_from_db()
    assert achievement.translations == {"de": {"name": "Python-Grundlagen"}}
