"""The rules engine: course completion, integration events, exactly once."""

from __future__ import annotations

import pytest

from credstack.awarding import actions
from credstack.awarding.models import DataRule, Requirement
from credstack.credentials.models import Credential
from credstack.learning import actions as learning
from tests.courses.factory import make_course

pytestmark = pytest.mark.django_db


def _finish(course, email="ada@example.org", name="Ada Lovelace", wrong_first=False):
    enrolment = learning.enrol(course, learning.learner_for(email, name))
    for lesson in enrolment.version.lessons:
        learning.mark_read(enrolment, lesson["key"])
        q = lesson["quiz"]["questions"][0]
        if wrong_first:
            attempt = learning.start_attempt(enrolment, lesson["key"])
            learning.submit_attempt(attempt, {q["key"]: "wrong"})
        attempt = learning.start_attempt(enrolment, lesson["key"])
        learning.submit_attempt(attempt, {q["key"]: "right"})
    enrolment.refresh_from_db()
    return enrolment


def test_completing_a_course_issues_its_credential_with_score_and_dates(org, achievement):
    course = make_course(org, achievement)
    enrolment = _finish(course)
    assert enrolment.status == "completed" and enrolment.award_status == "issued"
    credential = enrolment.credential
    subject = credential.signed()["credentialSubject"]
    assert subject["result"] == [{"type": ["Result"], "value": "100"}]
    assert subject["activityStartDate"] and subject["activityEndDate"]
    assert credential.signed()["evidence"][0]["id"] == course.url
    assert credential.source == "course"


def test_a_failed_quiz_blocks_completion(org, achievement):
    course = make_course(org, achievement)
    enrolment = learning.enrol(course, learning.learner_for("bo@example.org", "Bo"))
    lessons = enrolment.version.lessons
    for lesson in lessons[:-1]:
        learning.mark_read(enrolment, lesson["key"])
        q = lesson["quiz"]["questions"][0]
        learning.submit_attempt(learning.start_attempt(enrolment, lesson["key"]), {q["key"]: "right"})
    last = lessons[-1]
    learning.mark_read(enrolment, last["key"])
    results = learning.submit_attempt(
        learning.start_attempt(enrolment, last["key"]), {last["quiz"]["questions"][0]["key"]: "wrong"}
    )
    assert results[0].correct is False and "is 10" in results[0].feedback
    enrolment.refresh_from_db()
    assert enrolment.status == "active" and enrolment.credential is None
    assert not Credential.objects.filter(recipient_email="bo@example.org").exists()
    # and the event itself, sent by hand with a failed quiz, is refused with the reason
    outcome = actions.handle_event(
        organization=org,
        event_type="course.completed",
        course=course,
        recipient_email="bo@example.org",
        recipient_name="Bo",
        data={"all_lessons_done": True, "all_quizzes_passed": False, "average_score": 90},
    )
    assert outcome.status == "requirements_not_met"
    assert any("all_quizzes_passed" in r for r in outcome.reasons)
    assert not Credential.objects.filter(recipient_email="bo@example.org").exists()


def test_minimum_average_score(org, achievement):
    course = make_course(org, achievement, min_average_score=90)
    # fails the first attempt at every quiz, then passes: best score 100 each; average 100 -> issued
    assert _finish(course, wrong_first=True).credential is not None
    outcome = actions.handle_event(
        organization=org,
        event_type="course.completed",
        course=course,
        recipient_email="low@example.org",
        recipient_name="Low",
        data={"all_lessons_done": True, "all_quizzes_passed": True, "average_score": 85},
    )
    assert outcome.status == "requirements_not_met"
    assert outcome.reasons == ["average_score is 85; it must be ≥ 90"]


def test_repeated_completion_events_give_one_credential(org, achievement):
    course = make_course(org, achievement)
    data = {"all_lessons_done": True, "all_quizzes_passed": True, "average_score": 95}
    outcomes = [
        actions.handle_event(
            organization=org,
            event_type="course.completed",
            course=course,
            recipient_email="Ada@Example.org",
            recipient_name="Ada",
            data=data,
        )
        for _ in range(3)
    ]
    assert [o.status for o in outcomes] == ["issued", "already_issued", "already_issued"]
    assert len({o.credential.pk for o in outcomes}) == 1
    assert Credential.objects.filter(recipient_email__iexact="ada@example.org").count() == 1


def test_integration_event_with_data_rules(org, achievement):
    requirement = Requirement.objects.create(organization=org, achievement=achievement, event_type="webhook")
    DataRule.objects.create(requirement=requirement, data_path="result.status", operator="eq", value="passed")
    DataRule.objects.create(requirement=requirement, data_path="result.score", operator="gte", value=80)
    failed = actions.handle_event(
        organization=org,
        event_type="webhook",
        recipient_email="x@example.org",
        recipient_name="X",
        data={"result": {"status": "passed", "score": "79"}},
    )
    assert failed.status == "requirements_not_met"
    assert failed.reasons == ["result.score is '79'; it must be ≥ 80"]
    ok = actions.handle_event(
        organization=org,
        event_type="webhook",
        recipient_email="x@example.org",
        recipient_name="X",
        data={"result": {"status": "Passed", "score": 91}},
        event_id="e1",
    )
    assert ok.status == "issued" and ok.credential.achievement == achievement


def test_integration_event_for_a_known_achievement_needs_no_configured_requirement(org, achievement):
    outcome = actions.handle_event(
        organization=org,
        event_type="lti.completed",
        achievement=achievement,
        recipient_email="y@example.org",
        recipient_name="Y",
        data={"score": 88},
    )
    assert outcome.status == "issued"
    assert outcome.credential.signed()["credentialSubject"]["result"][0]["value"] == "88"
    again = actions.handle_event(
        organization=org,
        event_type="lti.completed",
        achievement=achievement,
        recipient_email="y@example.org",
        recipient_name="Y",
        data={"score": 88},
    )
    assert again.status == "already_issued" and again.credential.pk == outcome.credential.pk


def test_unknown_event_type_is_reported(org):
    outcome = actions.handle_event(
        organization=org, event_type="nothing", recipient_email="z@example.org", recipient_name="Z"
    )
    assert outcome.status == "no_matching_requirement" and "nothing" in outcome.reasons[0]


def test_an_integration_is_another_route_to_an_achievement_that_also_has_a_course(org, achievement):
    make_course(org, achievement)
    outcome = actions.handle_event(
        organization=org,
        event_type="webhook",
        achievement=achievement,
        recipient_email="exam@example.org",
        recipient_name="Exam Taker",
        data={"score": 97},
    )
    assert outcome.status == "issued"
    # and another organization's achievement is refused
    from credstack.organizations.actions import create_organization

    other = create_organization(slug="other", name="Other")
    with pytest.raises(ValueError, match="another organization"):
        actions.handle_event(
            organization=other,
            event_type="webhook",
            achievement=achievement,
            recipient_email="x@example.org",
            recipient_name="X",
        )
