"""Building and publishing courses: validation, warnings, immutable versions."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from credstack.courses import actions
from credstack.courses.models import Course
from credstack.learning import actions as learning
from tests.courses.factory import make_course

pytestmark = pytest.mark.django_db


def test_lesson_count_warning_outside_four_to_eight():
    assert "1 lesson;" in actions.lesson_count_warning(1)
    assert actions.lesson_count_warning(4) is None and actions.lesson_count_warning(8) is None
    assert "9 lessons" in actions.lesson_count_warning(9)


def test_publish_lists_every_problem(org):
    course = actions.create_course(organization=org, slug="empty", title="Empty")
    with pytest.raises(ValidationError) as exc:
        actions.publish_course(course)
    problems = exc.value.message_dict["course"]
    assert "Add at least one lesson." in problems and "Choose the achievement the course awards." in problems
    assert not course.versions.exists() and course.status == "draft"


def test_question_validation_names_the_field(org, achievement):
    course = make_course(org, achievement, lessons=1, publish=False)
    lesson = course.lessons.get()
    with pytest.raises(ValidationError) as exc:
        actions.add_question(
            lesson,
            kind="single",
            prompt="Q",
            choices=[{"text": "a", "correct": True}, {"text": "b", "correct": True}],
        )
    assert exc.value.message_dict == {"choices": ["a single-choice question has exactly one correct answer"]}
    with pytest.raises(ValidationError) as exc:
        actions.add_question(lesson, kind="multiple", prompt=" ", choices=[{"text": "a"}])
    assert set(exc.value.message_dict) == {"prompt", "choices"}
    with pytest.raises(ValidationError, match="not a valid regular expression"):
        actions.add_question(lesson, kind="text", prompt="Q", answers=["([a"], match="pattern")
    tf = actions.add_question(
        lesson, kind="truefalse", prompt="Python is compiled to bytecode", answers=["true"]
    )
    assert [c["correct"] for c in tf.choices] == [True, False]


def test_another_organizations_achievement_is_refused(org, achievement):
    from credstack.organizations.actions import create_organization

    other = create_organization(slug="other", name="Other")
    with pytest.raises(ValidationError, match="another organization"):
        actions.create_course(organization=other, slug="x", title="X", achievement=achievement)


def test_editing_a_published_course_makes_a_new_version_learners_in_progress_keep_theirs(org, achievement):
    course = make_course(org, achievement, lessons=4)
    early = learning.enrol(course, learning.learner_for("early@example.org", "Early"))
    lesson = course.lessons.first()
    actions.update_lesson(lesson, title="Lesson 1, rewritten", body="New text")
    actions.add_lesson(course, title="Lesson 5")
    course.refresh_from_db()
    assert course.has_unpublished_changes
    actions.add_question(course.lessons.last(), kind="truefalse", prompt="True?", answers=["true"])
    v2 = actions.publish_course(course)
    late = learning.enrol(course, learning.learner_for("late@example.org", "Late"))
    early.refresh_from_db()
    assert early.version.number == 1 and len(early.version.lessons) == 4
    assert early.version.lessons[0]["title"] == "Lesson 1"
    assert late.version == v2 and len(v2.lessons) == 5 and v2.lessons[0]["title"] == "Lesson 1, rewritten"
    assert v2.lessons[0]["key"] == early.version.lessons[0]["key"]  # same lesson, tracked across versions


def test_attachments_are_checked(org, achievement):
    course = make_course(org, achievement, lessons=1, publish=False)
    lesson = course.lessons.get()
    ok = actions.add_attachment(lesson, SimpleUploadedFile("notes.pdf", b"%PDF-1.7\n...", "application/pdf"))
    assert ok.size > 0 and ok.content_type == "application/pdf"
    with pytest.raises(ValidationError, match="not a PNG file"):
        actions.add_attachment(lesson, SimpleUploadedFile("photo.png", b"<svg onload=alert(1)>", "image/png"))
    with pytest.raises(ValidationError, match="not accepted"):
        actions.add_attachment(lesson, SimpleUploadedFile("x.svg", b"<svg/>", "image/svg+xml"))
    with pytest.raises(ValidationError, match=r"already has a file named notes\.pdf"):
        actions.add_attachment(lesson, SimpleUploadedFile("notes.pdf", b"%PDF-1.7\n", "application/pdf"))
    big = SimpleUploadedFile("big.zip", b"PK\x03\x04" + b"0" * 10, "application/zip")
    big.size = 21 * 1024 * 1024
    with pytest.raises(ValidationError, match=r"21\.0 MB; at most 20 MB"):
        actions.add_attachment(lesson, big)
    assert lesson.attachments.count() == 1


def test_publishing_snapshots_sanitised_html(org, achievement):
    course = make_course(org, achievement, lessons=1, publish=False)
    actions.update_lesson(course.lessons.get(), body="Hi <script>x()</script> **there**")
    version = actions.publish_course(course)
    html = version.lessons[0]["html"]
    assert "<strong>there</strong>" in html and "script" not in html
    assert Course.objects.get(pk=course.pk).status == "published"


def test_an_invited_learner_who_has_not_started_gets_the_latest_version(org, achievement):
    course = make_course(org, achievement, lessons=4)
    invited = learning.invite(course, "inv@example.org")[0]
    actions.add_lesson(course, title="Bonus")
    actions.add_question(course.lessons.last(), kind="truefalse", prompt="T?", answers=["true"])
    actions.publish_course(course)
    enrolment = learning.enrol(course, invited.learner)
    assert enrolment.pk == invited.pk and enrolment.version.number == 2 and enrolment.status == "active"
