"""The lesson player: a lesson read (its time counted), its quiz taken and graded, the course completed
and taken again to renew its credential."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from credstack.credentials.actions import current_of, renewable
from credstack.credentials.share import page_actions
from credstack.pathways.queries import progress_for_emails

from .. import actions, queries
from ..models import Enrolment, QuizAttempt
from .common import addresses, outline, player


@player
def lesson(request, course, enrolment, lesson_key):
    try:
        progress = actions.open_lesson(enrolment, lesson_key)
    except queries.LearningError as exc:
        return render(
            request,
            "learning/message.html",
            {
                "course": course,
                "title": _("Not yet"),
                "message": str(exc),
                "back": reverse("learning:course", args=[course.organization.slug, course.slug]),
            },
            status=403,
        )
    index = queries.lesson_index(enrolment, lesson_key)
    data = enrolment.version.lessons[index]
    lessons = enrolment.version.lessons
    return render(
        request,
        "learning/lesson.html",
        {
            "course": course,
            "enrolment": enrolment,
            "lesson": data,
            "index": index + 1,
            "progress": progress,
            "outline": outline(enrolment),
            "attempts_left": queries.attempts_left(enrolment, data),
            "next_key": lessons[index + 1]["key"] if index + 1 < len(lessons) else None,
        },
    )


@require_POST
@player
def lesson_ping(request, course, enrolment, lesson_key):
    actions.ping(enrolment, lesson_key)
    return HttpResponse(status=204)


@require_POST
@player
def lesson_read(request, course, enrolment, lesson_key):
    try:
        actions.mark_read(enrolment, lesson_key)
    except queries.LearningError:
        raise Http404("no such lesson")
    return redirect("learning:quiz", course.organization.slug, course.slug, lesson_key)


def _quiz_context(course, enrolment, lesson_key, **extra):
    index = queries.lesson_index(enrolment, lesson_key)
    data = enrolment.version.lessons[index]
    return {
        "course": course,
        "enrolment": enrolment,
        "lesson": data,
        "index": index + 1,
        "outline": outline(enrolment),
        "attempts_left": queries.attempts_left(enrolment, data),
        "pass_mark": data["quiz"]["pass_mark"],
        **extra,
    }


def _answers_from(post, questions) -> dict:
    answers = {}
    for question, _choices in questions:
        name = f"q-{question['key']}"
        answers[question["key"]] = (
            post.getlist(name) if question["kind"] == "multiple" else post.get(name, "")
        )
    return answers


def _shown(results) -> list[dict]:
    """Each result with the learner's own answer in words (the choices' texts), for the feedback page."""
    shown = []
    for r in results:
        picked = r.answer if isinstance(r.answer, list | tuple) else [r.answer] if r.answer else []
        texts = {c["key"]: c["text"] for c in r.question.get("choices") or []}
        words = [texts.get(str(k), str(k)) for k in picked if str(k).strip()]
        shown.append(
            {
                "question": r.question,
                "correct": r.correct,
                "feedback": r.feedback,
                "answer_text": ", ".join(words),
            }
        )
    return shown


@player
def quiz(request, course, enrolment, lesson_key):
    try:
        queries.lesson_index(enrolment, lesson_key)
    except queries.LearningError:
        raise Http404("no such lesson")
    if request.method == "POST":
        attempt = get_object_or_404(
            QuizAttempt,
            enrolment=enrolment,
            lesson_key=lesson_key,
            pk=request.POST.get("attempt", "0") if request.POST.get("attempt", "").isdigit() else 0,
        )
        questions = queries.attempt_questions(attempt)
        try:
            results = actions.submit_attempt(attempt, _answers_from(request.POST, questions))
        except queries.LearningError as exc:
            return render(
                request,
                "learning/message.html",
                {
                    "course": course,
                    "title": _("Already submitted"),
                    "message": str(exc),
                    "back": request.path,
                },
                status=409,
            )
        enrolment.refresh_from_db()
        attempt.refresh_from_db()
        if enrolment.status == Enrolment.Status.COMPLETED:
            return redirect("learning:complete", course.organization.slug, course.slug)
        index = queries.lesson_index(enrolment, lesson_key)
        lessons = enrolment.version.lessons
        next_key = lessons[index + 1]["key"] if index + 1 < len(lessons) else None
        return render(
            request,
            "learning/result.html",
            _quiz_context(
                course, enrolment, lesson_key, attempt=attempt, results=_shown(results), next_key=next_key
            ),
        )
    try:
        attempt = actions.start_attempt(enrolment, lesson_key)
    except queries.LearningError as exc:
        progress = enrolment.lessons.filter(lesson_key=lesson_key).first()
        if progress and progress.passed_at:
            return redirect("learning:course", course.organization.slug, course.slug)
        return render(
            request,
            "learning/message.html",
            {
                "course": course,
                "title": _("Quiz not available"),
                "message": str(exc),
                "back": reverse("learning:lesson", args=[course.organization.slug, course.slug, lesson_key]),
            },
            status=403,
        )
    return render(
        request,
        "learning/quiz.html",
        _quiz_context(
            course, enrolment, lesson_key, attempt=attempt, questions=queries.attempt_questions(attempt)
        ),
    )


@player
def complete(request, course, enrolment):
    if enrolment.status != Enrolment.Status.COMPLETED:
        return redirect("learning:course", course.organization.slug, course.slug)
    pathways = list(progress_for_emails(addresses(enrolment.learner), organization=course.organization))
    current = current_of(enrolment.credential) if enrolment.credential_id else None  # after renewals
    return render(
        request,
        "learning/complete.html",
        {
            "course": course,
            "enrolment": enrolment,
            "credential": current,
            "renewable": current is not None and renewable(current),
            # the same download and share row as the credential's own page
            "actions": page_actions(current, "valid", True)
            if current is not None and current.state == "active"
            else None,
            "outline": outline(enrolment),
            "pathways": pathways,
        },
    )


@player
@require_POST
def retake(request, course, enrolment):
    try:
        enrolment = actions.retake(enrolment)
    except queries.LearningError as exc:
        return render(
            request,
            "learning/message.html",
            {"course": course, "title": _("Not yet"), "message": str(exc)},
            status=409,
        )
    return redirect(
        "learning:lesson", course.organization.slug, course.slug, queries.resume_lesson_key(enrolment)
    )
