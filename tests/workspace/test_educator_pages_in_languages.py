"""The course editor, the certificate designer and the sign-in pages in their user's language (issue 17):
the words of the templates, the form labels, the choices and the messages of the actions, allauth's own
words, and the designer script's words, sent to it translated."""

from __future__ import annotations

import json

import pytest

from credstack.courses.models import Course
from tests.courses.factory import make_course

pytestmark = pytest.mark.django_db


def _html(response) -> str:
    assert response.status_code in (200, 400), response.status_code
    return response.content.decode()


def test_the_course_editor_speaks_french_once_the_user_chose_it(signed_in, org, achievement):
    client = signed_in("owner")
    course = make_course(org, achievement, lessons=1, publish=False)
    assert client.post("/w/language", {"language": "fr"}).status_code == 302

    html = _html(client.get(f"/w/{org.slug}/courses/"))
    assert '<html lang="fr" dir="ltr">' in html and "<h1>Cours</h1>" in html and ">Brouillon<" in html
    html = _html(client.get(f"/w/{org.slug}/courses/{course.public_id}/"))
    assert "Détails du cours" in html and "Enregistrer les détails" in html
    assert ">Titre</label>" in html  # a ModelForm's label
    assert ">Publish<" not in html and ">Lessons<" not in html

    lesson = course.lessons.first()
    html = _html(client.get(f"/w/{org.slug}/courses/{course.public_id}/lessons/{lesson.key}/"))
    assert "Questions du quiz" in html and "Choix unique" in html  # a model's choices

    # a message of an action, in the same language
    lesson.questions.all().delete()
    page = client.post(f"/w/{org.slug}/courses/{course.public_id}/publish", follow=True)
    assert "Non publié :" in _html(page) and "ajoutez au moins une question de quiz" in _html(page)
    assert Course.objects.get(pk=course.pk).status == Course.Status.DRAFT


def test_the_designer_gets_its_words_in_arabic_right_to_left(signed_in, org):
    client = signed_in("owner")
    client.post("/w/language", {"language": "ar"})
    response = client.post(f"/w/{org.slug}/designs/new", {"template": "classic-navy", "name": "شهادة"})
    assert response.status_code == 302
    html = _html(client.get(response["Location"]))
    assert '<html lang="ar" dir="rtl">' in html and "تراجع" in html  # Undo
    words = json.loads(
        html.split('<script id="designer-words" type="application/json">', 1)[1].split("</script>")[0]
    )
    assert words["Unsaved changes…"] == "تغييرات غير محفوظة…"
    assert words["%(count)s elements selected"] == "العناصر المحدّدة: %(count)s"


def test_the_sign_in_page_speaks_the_browser_language_with_allauths_own_words(client):
    html = _html(client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="de-DE,de;q=0.9"))
    assert '<html lang="de" dir="ltr">' in html
    assert "<h1>Anmelden</h1>" in html and "Registrieren</a>" in html  # credstack's words
    assert "Angemeldet bleiben" in html  # allauth's own translation of its form
    html = _html(client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="ar"))
    assert '<html lang="ar" dir="rtl">' in html and "كلمة المرور" in html
    html = _html(client.get("/accounts/password/reset/", HTTP_ACCEPT_LANGUAGE="fr"))
    assert "Réinitialiser votre mot de passe" in html and "Envoyer le lien" in html


def test_allauth_headings_keep_each_languages_casing(signed_in):
    client = signed_in("owner")
    client.post("/w/language", {"language": "de"})
    html = _html(client.get("/accounts/email/"))
    # "E-Mail-Adressen" stays capitalised in German; English headings alone are put in sentence case
    assert "E-Mail-Adressen" in html
    client.post("/w/language", {"language": "en"})
    assert "Email addresses" in _html(client.get("/accounts/email/"))
