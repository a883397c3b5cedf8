"""The educator's pages and the learner's pages over HTTP: roles, tenant isolation, clear errors."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from credstack.courses.models import Course
from credstack.learning import actions as learning
from credstack.learning.auth import SESSION_KEY
from credstack.organizations.actions import create_organization
from credstack.organizations.models import Membership
from tests.courses.factory import make_course

pytestmark = pytest.mark.django_db


def _member(client, org, role, username="pat"):
    user = get_user_model().objects.create_user(username, f"{username}@acme.example", "pw-long-enough-123")
    Membership.objects.create(organization=org, user=user, role=role)
    client.force_login(user)
    return user


def test_an_admin_builds_and_publishes_a_course_in_the_browser_forms(client, org, achievement):
    _member(client, org, "admin")
    base = f"/w/{org.slug}/courses/"
    response = client.post(
        base + "new",
        {
            "title": "SQL for Analysts",
            "slug": "sql",
            "achievement": achievement.pk,
            "language": "en",
            "review_days_text": "7, 30",
            "open_enrolment": "on",
        },
    )
    course = Course.objects.get(slug="sql")
    assert response.status_code == 302 and course.review_days == [7, 30]
    page = client.get(f"{base}{course.public_id}/").content.decode()
    assert "This course has 0 lessons; micro-courses work best with 4 to 8." in page
    assert "Add at least one lesson." in page
    client.post(f"{base}{course.public_id}/lessons/new", {"title": "SELECT"})
    lesson = course.lessons.get()
    client.post(
        f"{base}{course.public_id}/lessons/{lesson.key}/",
        {
            "title": "SELECT basics",
            "body": "# SELECT\n\n`SELECT * FROM t`",
            "estimated_minutes": 12,
            "pass_mark": 50,
            "max_attempts": 3,
        },
    )
    response = client.post(
        f"{base}{course.public_id}/lessons/{lesson.key}/question",
        {
            "new-kind": "single",
            "new-prompt": "Which keyword reads rows?",
            "new-choices_text": "*SELECT\nINSERT",
            "new-match": "exact",
            "new-feedback_incorrect": "SELECT reads rows.",
        },
        follow=True,
    )
    assert "Question added." in response.content.decode()
    response = client.post(
        f"{base}{course.public_id}/lessons/{lesson.key}/question",
        {"new-kind": "single", "new-prompt": "Bad", "new-choices_text": "A\nB", "new-match": "exact"},
        follow=True,
    )
    assert "mark at least one answer as correct" in response.content.decode()
    response = client.post(f"{base}{course.public_id}/publish", follow=True)
    assert "Published version 1." in response.content.decode()
    lesson.refresh_from_db()
    assert lesson.pass_mark == 50 and lesson.questions.count() == 1
    assert course.versions.get().lessons[0]["html"].startswith("<h2>SELECT</h2>")


def test_viewers_read_but_cannot_edit(client, org, achievement):
    course = make_course(org, achievement)
    _member(client, org, "viewer")
    url = f"/w/{org.slug}/courses/{course.public_id}/"
    assert client.get(url).status_code == 200
    assert client.get(url + "analytics").status_code == 200
    assert client.post(url, {"title": "Hacked"}).status_code == 403
    assert client.post(url + "publish").status_code == 403
    assert client.post(url + "invite", {"emails": "x@example.org"}).status_code == 403
    course.refresh_from_db()
    assert course.title != "Hacked"


def test_another_organizations_courses_are_404(client, org, achievement):
    course = make_course(org, achievement)
    other = create_organization(slug="rival", name="Rival")
    _member(client, other, "owner")
    for path in ("", "analytics", "learners.csv", f"lessons/{course.lessons.first().key}/"):
        assert client.get(f"/w/{org.slug}/courses/{course.public_id}/{path}").status_code == 404
        assert client.get(f"/w/rival/courses/{course.public_id}/{path}").status_code == 404
    assert client.get("/w/acme/courses/").status_code == 404


def test_csv_export_has_one_row_per_learner_and_escapes_formulas(client, org, achievement):
    course = make_course(org, achievement, lessons=4)
    learning.enrol(course, learning.learner_for("evil@example.org", '=HYPERLINK("http://x")'))
    learning.enrol(course, learning.learner_for("ok@example.org", "Ольга"))
    _member(client, org, "viewer")
    response = client.get(f"/w/{org.slug}/courses/{course.public_id}/learners.csv")
    body = response.content.decode()
    assert response["Content-Type"].startswith("text/csv")
    lines = body.strip().splitlines()
    assert lines[0].startswith(
        "email,name,status,course_version,lessons_done,lessons_total,quiz_attempts,lesson_1_best_score"
    )
    assert len(lines) == 3 and "'=HYPERLINK" in body and "Ольга" in body


def _learner_client(client, email="lea@example.org"):
    learner = learning.learner_for(email, "Lea")
    session = client.session
    session[SESSION_KEY] = learner.pk
    session.save()
    return learner


def test_learner_pages_need_sign_in_and_enrolment(client, org, achievement):
    course = make_course(org, achievement)
    key = course.versions.get().lessons[0]["key"]
    lesson_url = f"/learn/{org.slug}/{course.slug}/lessons/{key}"
    response = client.get(lesson_url)
    assert response.status_code == 302 and response["Location"].startswith("/learn/sign-in?next=")
    _learner_client(client)
    assert client.get(lesson_url)["Location"] == f"/learn/{org.slug}/{course.slug}"  # not enrolled
    client.post(f"/learn/{org.slug}/{course.slug}/enrol")
    assert client.get(lesson_url).status_code == 200
    second = course.versions.get().lessons[1]["key"]
    response = client.get(f"/learn/{org.slug}/{course.slug}/lessons/{second}")
    assert (
        response.status_code == 403
        and "Pass the quiz of the previous lesson first." in response.content.decode()
    )
    assert client.get(f"/learn/{org.slug}/{course.slug}/lessons/nope").status_code == 403
    assert client.get(f"/learn/{org.slug}/{course.slug}/lessons/nope/quiz").status_code == 404
    assert client.get(f"/learn/rival/{course.slug}").status_code == 404


def test_invitation_only_and_draft_courses(client, org, achievement):
    course = make_course(org, achievement, open_enrolment=False)
    _learner_client(client)
    response = client.post(f"/learn/{org.slug}/{course.slug}/enrol")
    assert response.status_code == 403 and "invitation only" in response.content.decode()
    learning.invite(course, "lea@example.org")
    assert client.post(f"/learn/{org.slug}/{course.slug}/enrol").status_code == 302
    draft = make_course(org, achievement, slug="draft", publish=False)
    assert client.get(f"/learn/{org.slug}/{draft.slug}").status_code == 404


def test_sign_in_page_refuses_bad_input_clearly(client):
    response = client.post("/learn/sign-in", {"email": "not an email"})
    assert "is not a valid email address" in response.content.decode()
    response = client.post("/learn/sign-in", {"email": "a@example.org", "code": "000000"})
    assert "expired or was already used" in response.content.decode()
    response = client.get("/learn/sign-in?next=https://evil.example/")
    assert 'value="https://evil.example/"' not in response.content.decode()


def test_cover_image_upload_is_checked_and_served(client, org, achievement):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    course = make_course(org, achievement)
    _member(client, org, "admin")
    url = f"/w/{org.slug}/courses/{course.public_id}/"
    form = {
        "title": course.title,
        "slug": course.slug,
        "achievement": achievement.pk,
        "language": "en",
        "review_days_text": "7",
    }
    fake = SimpleUploadedFile("cover.png", b"not an image at all", "image/png")
    response = client.post(url, {**form, "cover_image": fake})
    assert response.status_code == 200 and "Upload a valid image" in response.content.decode()
    buffer = io.BytesIO()
    Image.new("RGB", (40, 20), "#1d4ed8").save(buffer, "PNG")
    response = client.post(
        url, {**form, "cover_image": SimpleUploadedFile("cover.png", buffer.getvalue(), "image/png")}
    )
    assert response.status_code == 302
    course.refresh_from_db()
    assert course.review_days == [7] and course.has_unpublished_changes
    served = client.get(f"/learn/covers/{course.public_id}")
    assert served["Content-Type"] == "image/png" and b"".join(served.streaming_content).startswith(b"\x89PNG")
    assert (
        f"/learn/covers/{course.public_id}" in client.get(f"/learn/{org.slug}/{course.slug}").content.decode()
    )


def test_quiz_attempts_and_files_of_others_are_out_of_reach(client, org, achievement):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from credstack.courses import actions as course_actions
    from credstack.learning.models import QuizAttempt

    course = make_course(org, achievement)
    other = learning.enrol(course, learning.learner_for("other@example.org", "Other"))
    first = other.version.lessons[0]
    learning.mark_read(other, first["key"])
    attempt = learning.start_attempt(other, first["key"])
    _learner_client(client)
    client.post(f"/learn/{org.slug}/{course.slug}/enrol")
    quiz_url = f"/learn/{org.slug}/{course.slug}/lessons/{first['key']}/quiz"
    response = client.post(
        quiz_url, {"attempt": attempt.pk, f"q-{first['quiz']['questions'][0]['key']}": "right"}
    )
    assert response.status_code == 404
    assert QuizAttempt.objects.get(pk=attempt.pk).submitted_at is None
    assert client.post(quiz_url, {"attempt": "x' OR 1=1"}).status_code == 404
    draft = make_course(org, achievement, slug="draft", publish=False)
    file = course_actions.add_attachment(
        draft.lessons.first(), SimpleUploadedFile("a.pdf", b"%PDF-1.4", "application/pdf")
    )
    assert client.get(file.url).status_code == 404  # a draft's file: members only
    _member(client, org, "viewer")
    response = client.get(file.url)
    assert response.status_code == 200 and response["X-Content-Type-Options"] == "nosniff"


def test_review_page_asks_a_missed_question_again(client, org, achievement):
    from datetime import timedelta

    from django.utils import timezone

    from credstack.learning.models import ReviewItem

    course = make_course(org, achievement)
    learner = _learner_client(client)
    enrolment = learning.enrol(course, learner)
    lesson = enrolment.version.lessons[0]
    q = lesson["quiz"]["questions"][0]
    learning.mark_read(enrolment, lesson["key"])
    learning.submit_attempt(learning.start_attempt(enrolment, lesson["key"]), {q["key"]: "wrong"})
    url = f"/learn/{org.slug}/{course.slug}/review"
    assert "Nothing to review right now" in client.get(url).content.decode()
    ReviewItem.objects.filter(stage=0).update(due_at=timezone.now() - timedelta(hours=1))
    page = client.get(f"/learn/{org.slug}/{course.slug}").content.decode()
    assert "1 question to review" in page
    page = client.get(url).content.decode()
    assert q["prompt"] in page
    item = ReviewItem.objects.get(stage=0)
    page = client.post(url, {"item": item.pk, f"q-{q['key']}": "wrong"}).content.decode()
    assert "Not quite" in page and "1 + 1 is 2." in page and "Nothing to review right now" in page
    item.refresh_from_db()
    assert item.correct is False and item.answered_at is not None


def _out_of_attempts(org, achievement):
    from credstack.courses import actions as course_actions

    course = make_course(org, achievement, lessons=4, publish=False)
    course_actions.update_lesson(course.lessons.first(), max_attempts=2)
    course_actions.publish_course(course)
    enrolment = learning.enrol(course, learning.learner_for("stuck@example.org", "Sam Stuck"))
    lesson = enrolment.version.lessons[0]
    learning.mark_read(enrolment, lesson["key"])
    for _ in range(2):
        learning.submit_attempt(
            learning.start_attempt(enrolment, lesson["key"]),
            {q["key"]: "wrong" for q in lesson["quiz"]["questions"]},
        )
    with pytest.raises(learning.LearningError, match="Contact the course team"):
        learning.start_attempt(enrolment, lesson["key"])
    return course, enrolment, lesson


def test_the_course_team_can_reset_a_learners_attempts(client, org, achievement):
    course, enrolment, lesson = _out_of_attempts(org, achievement)
    _member(client, org, "issuer")
    page = client.get(f"/w/acme/courses/{course.public_id}/analytics").content.decode()
    assert "Reset quiz 1" in page
    url = f"/w/acme/courses/{course.public_id}/learners/{enrolment.public_id}/reset/{lesson['key']}"
    response = client.post(url, follow=True)
    assert "can take that quiz again (2 attempts)" in response.content.decode()
    attempt = learning.start_attempt(enrolment, lesson["key"])  # allowed again
    learning.submit_attempt(attempt, {q["key"]: "right" for q in lesson["quiz"]["questions"]})
    progress = enrolment.lessons.get(lesson_key=lesson["key"])
    assert progress.passed_at is not None and progress.attempts == 3  # the earlier attempts are kept
    again = client.post(url, follow=True).content.decode()
    assert "not yet passed can be reset" in again
    from credstack.organizations.models import AuditEntry

    assert AuditEntry.objects.filter(action="course.attempts_reset").count() == 1


def test_viewers_and_other_organizations_cannot_reset_attempts(client, org, achievement):
    course, enrolment, lesson = _out_of_attempts(org, achievement)
    url = f"/w/acme/courses/{course.public_id}/learners/{enrolment.public_id}/reset/{lesson['key']}"
    _member(client, org, "viewer")
    assert client.post(url).status_code == 403
    other = create_organization(slug="rival", name="Rival")
    _member(client, other, "owner", username="eve")
    assert client.post(url).status_code == 404
    assert (
        client.post(
            f"/w/rival/courses/{course.public_id}/learners/{enrolment.public_id}/reset/{lesson['key']}"
        ).status_code
        == 404
    )
    with pytest.raises(learning.LearningError):
        learning.start_attempt(enrolment, lesson["key"])  # still locked
