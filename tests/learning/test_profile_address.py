"""Removing an address in the portal moves the course profile off it: credentials of later courses go to
an address the learner still has."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client

from credstack.learning import actions
from credstack.learning.models import Learner
from credstack.portal.models import Account, AccountEmail
from tests.courses.factory import make_course

from .test_one_sign_in import _code, _me_sign_in, _pass_lessons

pytestmark = pytest.mark.django_db


def _add_address(client: Client, email: str) -> None:
    mail.outbox.clear()
    client.post("/me/emails", {"step": "send", "email": email})
    assert client.post("/me/emails", {"step": "verify", "code": _code(email)}).status_code == 302


def _remove_address(client: Client, email: str) -> None:
    address = AccountEmail.objects.get(normalized=email)
    assert client.post("/me/emails", {"step": "remove", "id": address.pk}).status_code == 302
    assert not AccountEmail.objects.filter(normalized=email).exists()


def test_removing_the_profile_address_sends_later_credentials_to_a_remaining_one(client, org, achievement):
    course = make_course(org, achievement)
    _me_sign_in(client, "old.job@example.org")
    learner = actions.learner_for("old.job@example.org", "Noor Haddad")
    _add_address(client, "noor@example.net")
    _remove_address(client, "old.job@example.org")
    learner.refresh_from_db()
    assert learner.email == "noor@example.net" and learner.account == Account.objects.get()
    enrolment = actions.enrol(course, learner)
    _pass_lessons(enrolment, len(enrolment.version.lessons))
    enrolment.refresh_from_db()
    assert enrolment.credential.recipient_email == "noor@example.net"


def test_a_merged_profile_under_the_remaining_address_swaps_with_it(client, org, achievement):
    course = make_course(org, achievement)
    home = actions.enrol(course, actions.learner_for("ada@example.org", "Ada"))
    _pass_lessons(home, 1)
    work = actions.enrol(course, actions.learner_for("ada@work.example", "Ada L."))
    _pass_lessons(work, 2)
    _me_sign_in(Client(), "ada@work.example")  # the work address had an account of its own
    _me_sign_in(client, "ada@example.org")
    _add_address(client, "ada@work.example")  # the accounts merge; the work profile is kept, detached
    learner = Learner.objects.get(account=Account.objects.get())
    detached = Learner.objects.get(merged_into=learner)
    assert (learner.email, detached.email) == ("ada@example.org", "ada@work.example")

    _remove_address(client, "ada@example.org")
    learner.refresh_from_db()
    detached.refresh_from_db()
    assert (learner.email, detached.email) == ("ada@work.example", "ada@example.org")
    assert actions.learner_for("ada@work.example") == learner


def test_removing_another_address_changes_nothing(client, org, achievement):
    _me_sign_in(client, "kim@example.org")
    learner = actions.learner_for("kim@example.org", "Kim")
    _add_address(client, "kim@example.net")
    _remove_address(client, "kim@example.net")
    learner.refresh_from_db()
    assert learner.email == "kim@example.org"


def test_the_course_team_counts_a_merged_person_once(client, org, achievement):
    from credstack.learning.queries import course_analytics, learner_rows

    course = make_course(org, achievement)
    for email, passed in (("ada@example.org", 1), ("ada@work.example", 2)):
        _pass_lessons(actions.enrol(course, actions.learner_for(email, "Ada")), passed)
    assert course_analytics(course)["counts"]["total"] == 2  # two people, as far as anyone knows
    _me_sign_in(Client(), "ada@work.example")
    _me_sign_in(client, "ada@example.org")
    _add_address(client, "ada@work.example")  # the same person: the accounts and the progress merge
    analytics = course_analytics(course)
    assert analytics["counts"]["total"] == 1 and analytics["counts"]["started"] == 1
    rows = list(learner_rows(course))
    assert len(rows) == 1 and rows[0]["lessons_done"] == 2  # the enrolment further along stayed
