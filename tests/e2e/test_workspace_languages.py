"""The workspace in its user's language, in the browser (issue 17): a user who chose German (or Arabic)
sees the credential list, a credential with its actions and history, the issue form and the bulk upload
with its dry run in that language, with no
English left in the page's own words; Arabic lays the workspace out right to left (the sidebar on the
right); and at 1280 px nothing overflows: not the page, not a heading, button, label or column header
with a long German word."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from credstack.accounts.actions import set_language
from credstack.credentials.actions import issue_credential
from credstack.organizations.actors import Actor
from credstack.organizations.models import Membership
from tests.e2e.conftest import save_screenshot, sign_in
from tests.workspace.conftest import make_user

# real commits: the live server's threads must see the user, the membership and the credentials
pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "a long pass phrase 42"

WORDS = {
    "de": {
        "list": "Nachweise",
        "delivery_column": "E-Mail-Zustellung",
        "search": "Suchen",
        "with_selected": "Mit Auswahl",
        "issue": "Nachweis ausstellen",
        "name": "Name des Empfängers",
        "email": "E-Mail des Empfängers",
        "sign": "Signieren und ausstellen",
        "bulk": "Massenausstellung aus einer Tabelle",
        "achievement": "Leistung",
        "file": "Datei",
        "upload": "Hochladen und prüfen",
        "dry_run": "2. Probelauf",
        "issue_n": "2 Nachweise ausstellen",
        "actions": "Aktionen",
        "history": "Verlauf",
        "correct": "Korrigierten Nachweis ausstellen",
        "select_all": "Alle auf dieser Seite auswählen",
    },
    "ar": {
        "list": "الشهادات",
        "delivery_column": "تسليم البريد",
        "search": "بحث",
        "with_selected": "بالمحدد",
        "issue": "أصدر شهادة",
        "name": "اسم المستلم",
        "email": "البريد الإلكتروني للمستلم",
        "sign": "التوقيع والإصدار",
        "bulk": "إصدار جماعي من جدول بيانات",
        "achievement": "إنجاز",
        "file": "الملف",
        "upload": "رفع وتحقق",
        "dry_run": "2. تشغيل تجريبي",
        "issue_n": "إصدار 2 شهادة",
        "actions": "الإجراءات",
        "history": "السجل",
        "correct": "إصدار شهادة مصحّحة",
        "select_all": "تحديد الكل في هذه الصفحة",
    },
}
# the workspace's own English words on these pages, before issue 17 wrapped them
ENGLISH = re.compile(
    r"\b(Credentials|Recipient|Achievement|Email delivery|Issued|Expires|Search|Sort|Newest first|"
    r"With selected|Apply|Sign and issue|Upload and check|Earlier uploads|Dry run|Problems|Merge fields|"
    r"ready to issue|Download a sample CSV|Columns|Select all on this page)\b"
)
# a box whose text is wider than the box itself (a long word that does not wrap)
OVERFLOWING = """() => [...document.querySelectorAll('main h1, main h2, main h3, main th, main label, main .btn, main legend')]
    .filter(el => el.offsetParent !== null && !el.closest('.sr-only') && el.scrollWidth > el.clientWidth + 1)
    .map(el => el.tagName + ': ' + el.textContent.trim().slice(0, 60))"""


def _check_layout(page, lang: str) -> None:
    main_text = page.locator("main").inner_text()
    assert ENGLISH.findall(main_text) == [], main_text
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    assert page.evaluate(OVERFLOWING) == []
    side, main = page.locator("nav.ws-side").bounding_box(), page.locator("main").bounding_box()
    if lang == "ar":  # right to left: the sidebar is on the right of the content
        assert side["x"] > main["x"]
    else:
        assert side["x"] < main["x"]


@pytest.mark.parametrize("lang", ["de", "ar"])
def test_credential_list_issue_form_and_bulk_upload_in_the_users_language(page, org, achievement, lang):
    words = WORDS[lang]
    user = make_user(f"issuer-{lang}@acme.example", password=PASSWORD)
    Membership.objects.create(organization=org, user=user, role="admin")
    set_language(user, lang, Actor.for_user(user))
    for name, email in (("Grace Hopper", "grace@example.org"), ("محمد الفارسي", "m@example.org")):
        issue_credential(achievement=achievement, recipient_name=name, recipient_email=email)

    sign_in(page, user)

    page.goto(f"/w/{org.slug}/credentials/")
    expect(page.locator("html")).to_have_attribute("lang", lang)
    expect(page.locator("html")).to_have_attribute("dir", "rtl" if lang == "ar" else "ltr")
    expect(page.get_by_role("heading", name=words["list"], exact=True)).to_be_visible()
    expect(page.get_by_role("columnheader", name=words["delivery_column"])).to_be_visible()
    expect(page.get_by_label(words["with_selected"])).to_be_visible()
    expect(page.get_by_role("link", name="Grace Hopper")).to_be_visible()
    _check_layout(page, lang)
    save_screenshot(page, f"workspace-credentials-{lang}")
    # on a phone the rows stack and "select all" is spelled out beside its box, in the user's language too
    page.set_viewport_size({"width": 390, "height": 844})
    expect(page.get_by_text(words["select_all"], exact=True)).to_be_visible()
    page.get_by_text(words["select_all"], exact=True).click()  # the words are its label: they tick it
    expect(page.get_by_role("checkbox", name=f"{words['select_all']}")).to_be_checked()
    assert ENGLISH.findall(page.locator("main").inner_text()) == []
    page.set_viewport_size({"width": 1280, "height": 900})

    page.get_by_role("link", name="Grace Hopper").click()
    expect(page.get_by_role("heading", name=words["actions"])).to_be_visible()
    expect(page.get_by_role("heading", name=words["history"])).to_be_visible()
    expect(page.get_by_role("button", name=words["correct"])).to_be_visible()
    _check_layout(page, lang)
    save_screenshot(page, f"workspace-credential-{lang}", full_page=True)

    page.goto(f"/w/{org.slug}/issue")
    expect(page.get_by_role("heading", name=words["issue"], exact=True)).to_be_visible()
    expect(page.get_by_label(words["name"])).to_be_visible()
    expect(page.get_by_label(words["email"])).to_be_visible()
    expect(page.get_by_role("button", name=words["sign"])).to_be_visible()
    _check_layout(page, lang)
    save_screenshot(page, f"workspace-issue-{lang}")

    page.goto(f"/w/{org.slug}/bulk/")
    expect(page.get_by_role("heading", name=words["bulk"])).to_be_visible()
    page.get_by_label(words["achievement"]).select_option(achievement.public_id)
    page.get_by_label(words["file"]).set_input_files(
        files=[
            {
                "name": "cohort.csv",
                "mimeType": "text/csv",
                "buffer": "name,email,grade\nAda Lovelace,ada@example.org,A\nTomás Ortega,tomas@example.org,B\n"
                "No Address,not-an-email,C\n".encode(),
            }
        ]
    )
    page.get_by_role("button", name=words["upload"]).click()
    expect(page.get_by_role("heading", name=words["dry_run"])).to_be_visible()
    expect(page.get_by_role("button", name=words["issue_n"])).to_be_visible()
    _check_layout(page, lang)
    save_screenshot(page, f"workspace-bulk-dry-run-{lang}", full_page=True)
