"""The two course emails a learner gets (the invitation and the review reminder) arrive as text plus a
branded HTML alternative: the organization's name, logo and colour, one big button, user text escaped,
the right links, and (for the reminder) a stop link and the mail app's one-click unsubscribe."""

from __future__ import annotations

import re
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.core import mail
from django.utils import timezone

from credstack.learning import actions
from credstack.learning.emails import short_title
from tests.courses.factory import make_course

pytestmark = pytest.mark.django_db

NASTY = "<script>alert(1)</script> & “SQL”"
LONG = "Advanced Data Engineering with PostgreSQL, Python and Kafka: Streaming Pipelines in Production"


class _Page(HTMLParser):
    """The links (text -> href), images and visible text of an HTML email."""

    def __init__(self, html: str):
        super().__init__()
        self.links: dict[str, str] = {}
        self.images: list[str] = []
        self.text: list[str] = []
        self._href: str | None = None
        self._label: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a":
            self._href, self._label = attrs["href"], []
        elif tag == "img":
            self.images.append(attrs["src"])

    def handle_endtag(self, tag):
        if tag == "a" and self._href is not None:
            self.links[" ".join("".join(self._label).split())] = self._href
            self._href = None

    def handle_data(self, data):
        self.text.append(data)
        if self._href is not None:
            self._label.append(data)

    @property
    def visible(self) -> str:
        return " ".join("".join(self.text).split())


def _parts(message) -> tuple[str, str]:
    assert message.alternatives, "no HTML alternative"
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    return message.body, html


def _invite(course, django_capture_on_commit_callbacks, line="Zoë O'Brien <b>&</b> 🎉, zoe@example.org"):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        actions.invite(course, line)
    [message] = mail.outbox
    return message


def _miss_a_question(course, email="r@example.org", name="Rui"):
    enrolment = actions.enrol(course, actions.learner_for(email, name))
    lesson = enrolment.version.lessons[0]
    actions.mark_read(enrolment, lesson["key"])
    qkey = lesson["quiz"]["questions"][0]["key"]
    actions.submit_attempt(actions.start_attempt(enrolment, lesson["key"]), {qkey: "wrong"})
    return enrolment


def test_the_invitation_is_text_and_branded_html_with_everything_escaped(
    org, achievement, django_capture_on_commit_callbacks
):
    org.brand_color = "#7c2d12"
    org.image_url = "https://acme.example/logo.png"
    org.name = "Acme & Sons <Training>"
    org.save()
    course = make_course(org, achievement, lessons=2, title=NASTY)
    course.summary = "Joins & <i>window</i> functions\nin 2 hours"
    course.save()
    message = _invite(course, django_capture_on_commit_callbacks)
    text, html = _parts(message)
    assert message.to == ["zoe@example.org"]
    assert message.subject == f"You are invited: {NASTY}"

    # the text part: the words as typed, the link to the course
    assert f"invites you to the course “{NASTY}”." in text
    assert f"Start the course: {course.url}" in text
    assert "Hello Zoë O'Brien <b>&</b> 🎉," in text

    # the HTML part: nothing the educator or learner typed becomes markup
    assert "<script>" not in html and "<b>&</b>" not in html and "<Training>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; “SQL”" in html
    assert "Zoë O&#x27;Brien &lt;b&gt;&amp;&lt;/b&gt; 🎉" in html
    assert "Joins &amp; &lt;i&gt;window&lt;/i&gt; functions<br>in 2 hours" in html
    page = _Page(html)
    # the same wording as the text part
    assert f"Acme & Sons <Training> invites you to the course “{NASTY}”." in page.visible
    assert "Hello Zoë O'Brien <b>&</b> 🎉," in page.visible
    assert "Sign in with this email address (zoe@example.org)" in page.visible
    assert "When you finish, your credential arrives by itself." in page.visible
    # brand: colour in the header and on the button, the logo, a phone-sized layout
    assert page.links["Start the course"] == course.url
    assert page.images == ["https://acme.example/logo.png"]
    assert "background:#7c2d12" in html and "max-width:600px" in html
    assert 'name="viewport"' in html


def test_an_organization_without_a_logo_or_with_a_light_colour_still_reads_well(
    org, achievement, django_capture_on_commit_callbacks
):
    org.brand_color = "#fde047"  # yellow: white text on it would be unreadable
    org.save()
    course = make_course(org, achievement, lessons=2, title="تعلم بايثون 🐍")
    _, html = _parts(_invite(course, django_capture_on_commit_callbacks, "Rivka, rivka@example.org"))
    assert _Page(html).images == []
    button = re.search(r'<a href="[^"]+" style="([^"]+)">Start the course</a>', html).group(1)
    assert "color:#111827" in button
    # right-to-left titles are isolated, so the punctuation around them stays in place
    assert '<b dir="auto">تعلم بايثون 🐍</b>' in html


def test_the_review_reminder_is_branded_and_keeps_its_stop_link_and_headers(client, org, achievement):
    org.brand_color = "#065f46"
    org.save()
    course = make_course(org, achievement, lessons=4, title=NASTY)
    _miss_a_question(course, name="Ada “the first” <Lovelace>")
    assert actions.send_review_nudges(now=timezone.now() + timedelta(days=8)) == 1
    [message] = mail.outbox
    text, html = _parts(message)
    assert message.subject == f"1 question to review: {NASTY}"
    stop_url = re.search(r"Stop review reminders for this course: (\S+)", text).group(1)
    assert message.extra_headers["List-Unsubscribe"] == f"<{stop_url}>"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert f"Review now: {course.url}/review" in text

    page = _Page(html)
    assert "<script>" not in html and "<Lovelace>" not in html
    assert page.links["Review now"] == f"{course.url}/review"
    assert page.links["Stop review reminders for this course"] == stop_url
    assert f"1 question from “{NASTY}” is ready for a short review." in page.visible
    assert "Hello Ada “the first” <Lovelace>," in page.visible
    assert "background:#065f46" in html
    # the stop link sits in the footer, after the button
    assert html.index(stop_url) > html.index(">Review now</a>")

    # both links lead somewhere real
    stop = client.get(stop_url.split("testserver", 1)[-1] if "testserver" in stop_url else stop_url)
    assert stop.status_code == 200 and "Stop review reminders?" in stop.content.decode()
    review_path = "/" + page.links["Review now"].split("/", 3)[3]
    assert client.get(review_path).status_code in (200, 302)


def test_a_long_title_is_shortened_in_the_subject_only(
    client, org, achievement, django_capture_on_commit_callbacks
):
    course = make_course(org, achievement, lessons=4, title=LONG)
    invitation = _invite(course, django_capture_on_commit_callbacks, "lee@example.org")
    _miss_a_question(course)
    mail.outbox.clear()
    actions.send_review_nudges(now=timezone.now() + timedelta(days=8))
    [reminder] = mail.outbox
    short = "Advanced Data Engineering with PostgreSQL, Python and…"
    assert invitation.subject == f"You are invited: {short}"
    assert reminder.subject == f"1 question to review: {short}"
    for message in (invitation, reminder):
        text, html = _parts(message)
        assert LONG in text and LONG in html


def test_shortening_never_splits_a_character():
    assert short_title("Python") == "Python"
    assert short_title("  two\nlines  ") == "two lines"
    cut = short_title("x" * 58 + "👩‍💻👩‍💻")  # woman technologist: three code points
    assert cut == "x" * 58 + "…"
    assert short_title("y" * 58 + "🇫🇷🇩🇪") == "y" * 58 + "…"  # not half a flag
    assert short_title("y" * 57 + "🇫🇷🇩🇪") == "y" * 57 + "🇫🇷…"
    assert short_title("é" * 70) == "é" * 59 + "…"
    assert short_title("e\u0301" * 40).endswith("e\u0301…")  # the accent stays with its letter
    assert len(short_title(LONG)) <= 60
