"""Decision 0023: one learner sign-in for the portal (/me) and the course player (/learn).

One code, one session, both sites; merging addresses in the portal merges course progress; deleting the
portal account deletes course progress (credentials stay, 0017)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from credstack.credentials.models import Credential
from credstack.learning import actions
from credstack.learning.auth import SESSION_KEY
from credstack.learning.models import Enrolment, Learner, LessonProgress, QuizAttempt, ReviewItem
from credstack.learning.models import LoginCode as OldLoginCode
from credstack.portal.models import Account, AccountEmail
from credstack.portal.models import LoginCode as PortalLoginCode
from tests.courses.factory import make_course

pytestmark = pytest.mark.django_db


def _code(email: str) -> str:
    sent = [m for m in mail.outbox if email.lower() in [to.lower() for to in m.to]]
    return re.search(r"\b(\d{6})\b", sent[-1].subject).group(1)


def _learn_sign_in(client: Client, email: str, next_url: str = "/learn/") -> None:
    client.post("/learn/sign-in", {"email": email, "next": next_url})
    response = client.post("/learn/sign-in", {"email": email, "code": _code(email), "next": next_url})
    assert response.status_code == 302 and response["Location"] == next_url


def _me_sign_in(client: Client, email: str, next_url: str = "/me/") -> None:
    assert client.post("/me/login", {"email": email, "next": next_url}).status_code == 302
    response = client.post("/me/login/code", {"code": _code(email), "next": next_url})
    assert response.status_code == 302 and response["Location"] == next_url


def _pass_lessons(enrolment: Enrolment, n: int) -> None:
    for lesson in enrolment.version.lessons[:n]:
        actions.mark_read(enrolment, lesson["key"])
        answers = {q["key"]: "right" for q in lesson["quiz"]["questions"]}
        actions.submit_attempt(actions.start_attempt(enrolment, lesson["key"]), answers)


def test_a_code_at_learn_signs_in_at_me_too(client, org, achievement, issue):
    course = make_course(org, achievement)
    issue(email="ada@example.org")
    _learn_sign_in(client, "Ada@Example.org", f"/learn/{org.slug}/{course.slug}")
    # the code was the portal's: one code table, one account, the player's old codes unused
    assert PortalLoginCode.objects.filter(normalized_email="ada@example.org").count() == 1
    assert not OldLoginCode.objects.exists()
    client.post(f"/learn/{org.slug}/{course.slug}/enrol", {"name": "Ada Lovelace"})
    portfolio = client.get("/me/")
    assert portfolio.status_code == 200 and achievement.name in portfolio.content.decode()
    learner = Learner.objects.get(email="ada@example.org")
    assert learner.account == Account.objects.get() and learner.enrolments.count() == 1
    assert AccountEmail.objects.get().verified_by == "code"
    # one session: signing out of the player signs out of the portal
    assert client.post("/learn/sign-out").status_code == 302
    assert client.get("/me/").status_code == 302
    assert client.get("/learn/")["Location"].startswith("/learn/sign-in?next=")


def test_a_code_at_me_signs_in_at_learn_too(client, org, achievement):
    course = make_course(org, achievement)
    invited = actions.enrol(course, actions.learner_for("grace@example.org", "Grace"), source="invitation")
    _me_sign_in(client, "grace@example.org")
    mine = client.get("/learn/")
    assert mine.status_code == 200 and course.title in mine.content.decode()
    assert "grace@example.org" in mine.content.decode()
    # the invited learner joined the account on first use (no second learner, no second code)
    assert Learner.objects.get().account.emails.get().normalized == "grace@example.org"
    assert len(mail.outbox) == 1
    lesson = invited.version.lessons[0]["key"]
    assert client.get(f"/learn/{org.slug}/{course.slug}/lessons/{lesson}").status_code == 200
    # signing out of the portal signs out of the player
    client.post("/me/logout")
    assert client.get("/learn/").status_code == 302


def test_code_limits_count_both_sites_per_address_and_per_ip(client, db):
    for _ in range(2):
        assert client.post("/learn/sign-in", {"email": "lim@example.org"}).status_code == 200
    assert client.post("/me/login", {"email": "lim@example.org"}).status_code == 302
    refused = client.post("/learn/sign-in", {"email": "lim@example.org"}).content.decode()
    assert "Too many codes" in refused and len(mail.outbox) == 3
    net = Client(REMOTE_ADDR="203.0.113.9")
    for n in range(30):
        net.post("/learn/sign-in", {"email": f"p{n}@example.org"})
    assert len(mail.outbox) == 33
    html = net.post("/learn/sign-in", {"email": "another@example.org"}).content.decode()
    assert "from your network" in html and len(mail.outbox) == 33
    assert "from your network" in net.post("/me/login", {"email": "more@example.org"}).content.decode()


def test_the_old_session_key_is_read_once_and_translated(client, org, achievement):
    course = make_course(org, achievement)
    learner = actions.learner_for("old@example.org", "Old")
    actions.enrol(course, learner)
    session = client.session
    session[SESSION_KEY] = learner.pk
    session.save()
    assert client.get(f"/learn/{org.slug}/{course.slug}").status_code == 200
    assert "old@example.org" in client.get("/learn/").content.decode()
    assert SESSION_KEY not in client.session and client.session["portal_assurance"] == "lti"
    learner.refresh_from_db()
    assert client.session["portal_account"] == learner.account.public_id
    # a session that may have come from an LMS: the portfolio asks for a code first
    response = client.get("/me/")
    assert response.status_code == 302 and response["Location"].startswith("/me/login?next=")


def test_merging_addresses_merges_course_progress(client, org, achievement):
    python = make_course(org, achievement)
    sql = make_course(org, achievement, slug="sql-101", title="SQL")
    home = actions.enrol(python, actions.learner_for("ada@example.org", "Ada"))
    _pass_lessons(home, 1)
    work_learner = actions.learner_for("ada@work.example", "Ada L.")
    work = actions.enrol(python, work_learner)
    _pass_lessons(work, 3)
    work_sql = actions.enrol(sql, work_learner)
    failed = home.version.lessons[1]
    actions.mark_read(home, failed["key"])
    attempt = actions.start_attempt(home, failed["key"])
    actions.submit_attempt(attempt, {q["key"]: "wrong" for q in failed["quiz"]["questions"]})
    assert ReviewItem.objects.filter(enrolment=home).exists()

    other = Client()
    _me_sign_in(other, "ada@work.example")  # the work address had an account of its own
    _me_sign_in(client, "ada@example.org")
    mail.outbox.clear()
    client.post("/me/emails", {"step": "send", "email": "ada@work.example"})
    assert client.post("/me/emails", {"step": "verify", "code": _code("ada@work.example")}).status_code == 302

    account = Account.objects.get()  # the two accounts merged
    learner = Learner.objects.get(account=account)
    assert learner.email == "ada@example.org" and learner.name == "Ada"
    mine = {e.course.slug: e for e in learner.enrolments.all()}
    # both in Python: the enrolment further along (3 lessons, from work) stays; SQL moved over
    assert mine == {"python-101": work, "sql-101": work_sql}
    # the other is kept for audit, detached, and never nudged
    home.refresh_from_db()
    assert home.learner.merged_into == learner and home.learner.account is None
    assert QuizAttempt.objects.filter(enrolment=home).count() == 2
    ReviewItem.objects.filter(enrolment=home).update(due_at=timezone.now() - timedelta(days=1))
    assert actions.send_review_nudges() == 0
    page = client.get("/learn/").content.decode()
    assert "SQL" in page and "Python in Five Lessons" in page
    # an invitation to either address reaches the same learner
    assert actions.learner_for("ADA@work.example") == learner


def test_deleting_the_account_deletes_course_progress_but_not_credentials(client, org, achievement):
    course = make_course(org, achievement, lessons=2)
    _learn_sign_in(client, "del@example.org", f"/learn/{org.slug}/{course.slug}")
    client.post(f"/learn/{org.slug}/{course.slug}/enrol", {"name": "Del Eted"})
    enrolment = Enrolment.objects.get()
    _pass_lessons(enrolment, 2)
    enrolment.refresh_from_db()
    assert enrolment.status == "completed" and enrolment.credential is not None
    credential = enrolment.credential
    other = actions.enrol(course, actions.learner_for("keep@example.org", "Keep"))

    response = client.post("/me/delete", {"confirm": "DELETE"})
    assert response.status_code == 200
    assert not Learner.objects.filter(email="del@example.org").exists()
    assert list(Enrolment.objects.all()) == [other]
    assert not LessonProgress.objects.exclude(enrolment=other).exists()
    assert not QuizAttempt.objects.exclude(enrolment=other).exists()
    credential.refresh_from_db()  # the issuer's record stays, private now
    assert Credential.objects.filter(pk=credential.pk).exists() and credential.is_public is False
    assert client.get("/learn/").status_code == 302  # signed out of both
