"""The course editor's changes through its pages: each leaves one audit row naming the member who made it;
a refused change leaves no row and changes nothing."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile

from credstack.organizations.models import AuditEntry, Membership
from tests.courses.factory import make_course
from tests.unchanged import changes_nothing

pytestmark = pytest.mark.django_db

LESSON_FORM = {"title": "Lesson 1", "estimated_minutes": 10, "pass_mark": 80, "max_attempts": 0}


@pytest.fixture
def member(client, org):
    user = get_user_model().objects.create_user("pat", "pat@acme.example", "pw-long-enough-123")
    Membership.objects.create(organization=org, user=user, role="admin")
    client.force_login(user)
    return user


@pytest.fixture
def course(org, achievement):
    return make_course(org, achievement, lessons=2, publish=False)


def _base(org, course) -> str:
    return f"/w/{org.slug}/courses/{course.public_id}/"


class AuditLog:
    """The audit rows written since the last look."""

    def __init__(self) -> None:
        self.seen = AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0

    def new(self) -> list[AuditEntry]:
        rows = list(AuditEntry.objects.filter(pk__gt=self.seen).order_by("pk"))
        if rows:
            self.seen = rows[-1].pk
        return rows


def _one_row(log: AuditLog, member, course, action: str) -> AuditEntry:
    rows = log.new()
    assert [r.action for r in rows] == [action]
    [row] = rows
    assert (row.actor, row.actor_kind, row.actor_label) == (member, "user", "pat@acme.example")
    assert (row.organization_id, row.target) == (course.organization_id, course.public_id)
    return row


def test_every_change_in_the_editor_leaves_one_audit_row_naming_the_member(client, org, member, course):
    base = _base(org, course)
    log = AuditLog()

    response = client.post(base + "lessons/new", {"title": "Joins"})
    assert response.status_code == 302
    added = course.lessons.get(title="Joins")
    assert "Joins" in _one_row(log, member, course, "course.lesson_added").detail
    lesson_url = f"{base}lessons/{added.key}/"

    response = client.post(lesson_url, {**LESSON_FORM, "title": "Joins", "body": "INNER and OUTER"})
    assert response.status_code == 302
    added.refresh_from_db()
    assert added.body == "INNER and OUTER"
    row = _one_row(log, member, course, "course.lesson_updated")
    assert "body" in row.detail and "title" not in row.detail

    response = client.post(
        lesson_url + "question",
        {
            "new-kind": "single",
            "new-prompt": "Which join keeps all rows?",
            "new-choices_text": "*FULL\nINNER",
        },
    )
    assert response.status_code == 302
    question = added.questions.get()
    _one_row(log, member, course, "course.question_added")

    response = client.post(
        f"{lesson_url}questions/{question.pk}/save",
        {
            f"q{question.pk}-kind": "single",
            f"q{question.pk}-prompt": "Which join keeps every row of both tables?",
            f"q{question.pk}-choices_text": "*FULL\nINNER",
        },
    )
    assert response.status_code == 302
    question.refresh_from_db()
    assert question.prompt == "Which join keeps every row of both tables?"
    assert "prompt" in _one_row(log, member, course, "course.question_updated").detail

    upload = SimpleUploadedFile("joins.pdf", b"%PDF-1.7\n...", "application/pdf")
    response = client.post(lesson_url + "attach", {"file": upload})
    assert response.status_code == 302 and added.attachments.get().name == "joins.pdf"
    assert "joins.pdf" in _one_row(log, member, course, "course.attachment_added").detail

    response = client.post(lesson_url + "up")
    assert response.status_code == 302
    assert list(course.lessons.values_list("title", flat=True)) == ["Lesson 1", "Joins", "Lesson 2"]
    assert "from 3 to 2" in _one_row(log, member, course, "course.lesson_moved").detail

    response = client.post(f"{lesson_url}questions/{question.pk}/delete")
    assert response.status_code == 302 and not added.questions.exists()
    _one_row(log, member, course, "course.question_deleted")

    response = client.post(lesson_url + "delete")
    assert response.status_code == 302 and not course.lessons.filter(title="Joins").exists()
    assert "Joins" in _one_row(log, member, course, "course.lesson_deleted").detail

    response = client.post(base + "publish")
    assert response.status_code == 302 and course.versions.count() == 1
    assert "version 1" in _one_row(log, member, course, "course.published").detail


def _first_lesson(course):
    return course.lessons.order_by("position").first()


@pytest.mark.parametrize(
    ("what", "request_for", "message"),
    [
        (
            "a choice question with no correct answer",
            lambda lesson: (
                "question",
                {"new-kind": "single", "new-prompt": "Q", "new-choices_text": "A\nB"},
            ),
            "mark at least one answer as correct",
        ),
        (
            "a text question whose pattern does not compile",
            lambda lesson: (
                "question",
                {"new-kind": "text", "new-prompt": "Q", "new-answers_text": "([a", "new-match": "pattern"},
            ),
            "not a valid regular expression",
        ),
        (
            "drawing more questions than the bank has",
            lambda lesson: ("", {**LESSON_FORM, "draw_count": 5}),
            "the bank has 1 questions; draw at most that many",
        ),
        (
            "a pass mark over 100",
            lambda lesson: ("", {**LESSON_FORM, "pass_mark": 101}),
            "less than or equal to 100",
        ),
        (
            "an SVG attachment",
            lambda lesson: ("attach", {"file": SimpleUploadedFile("x.svg", b"<svg/>", "image/svg+xml")}),
            "files of this type are not accepted",
        ),
        (
            "a PNG that is not a PNG",
            lambda lesson: (
                "attach",
                {"file": SimpleUploadedFile("x.png", b"<svg onload=x()>", "image/png")},
            ),
            "is not a PNG file",
        ),
        (
            "moving the first lesson up",
            lambda lesson: ("up", {}),
            "is already the first",
        ),
    ],
)
def test_a_refused_edit_leaves_no_audit_row_and_changes_nothing(
    client, org, member, course, what, request_for, message
):
    lesson = _first_lesson(course)
    suffix, data = request_for(lesson)
    with changes_nothing():
        response = client.post(f"{_base(org, course)}lessons/{lesson.key}/{suffix}", data, follow=True)
    assert message in response.content.decode(), what


def test_a_question_edit_that_is_refused_keeps_the_question_and_writes_no_row(client, org, member, course):
    lesson = _first_lesson(course)
    question = lesson.questions.get()
    url = f"{_base(org, course)}lessons/{lesson.key}/questions/{question.pk}/save"
    with changes_nothing():
        response = client.post(
            url,
            {
                f"q{question.pk}-kind": "single",
                f"q{question.pk}-prompt": "Q",
                f"q{question.pk}-choices_text": "A",
            },
        )
    assert response.status_code == 400
    assert "give at least two answers" in response.content.decode()


def test_a_viewer_cannot_edit_a_lesson_and_leaves_no_row(client, org, course):
    user = get_user_model().objects.create_user("vic", "vic@acme.example", "pw-long-enough-123")
    Membership.objects.create(organization=org, user=user, role="viewer")
    client.force_login(user)
    lesson = _first_lesson(course)
    base = _base(org, course)
    with changes_nothing():
        assert (
            client.post(f"{base}lessons/{lesson.key}/", {**LESSON_FORM, "title": "Mine"}).status_code == 403
        )
        assert client.post(f"{base}lessons/{lesson.key}/delete").status_code == 403
        assert client.post(f"{base}lessons/new", {"title": "Mine"}).status_code == 403
