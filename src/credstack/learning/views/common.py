"""What the learner's pages share: the course of the URL, the ``player`` decorator (signed in and
enrolled), a course's outline with the learner's progress, the learner's addresses."""

from __future__ import annotations

from functools import wraps

from django.shortcuts import get_object_or_404, redirect

from credstack.courses.models import Course

from .. import auth, queries
from ..models import Enrolment


def course_for(org_slug: str, course_slug: str) -> Course:
    """The course of the URL (404 if there is none)."""
    return get_object_or_404(
        Course.objects.select_related("organization", "achievement"),
        organization__slug=org_slug,
        slug=course_slug,
    )


def player(view):
    """The learner must be signed in and enrolled; sets request.learner / request.enrolment."""

    @wraps(view)
    def wrapped(request, org_slug, course_slug, *args, **kwargs):
        course = course_for(org_slug, course_slug)
        learner = auth.current_learner(request, course.organization)
        if learner is None:
            return redirect(auth.login_url(request.get_full_path(), course.organization))
        enrolment = (
            Enrolment.objects.select_related("version", "course", "learner", "credential")
            .filter(course=course, learner=learner)
            .first()
        )
        if enrolment is None:
            return redirect("learning:course", org_slug, course_slug)
        request.learner, request.enrolment = learner, enrolment
        return view(request, course, enrolment, *args, **kwargs)

    return wrapped


def outline(enrolment: Enrolment) -> dict:
    """The course's lessons with the learner's progress (read, passed, open, score) and the totals."""
    progress = queries.progress_map(enrolment)
    lessons, done = [], 0
    previous_passed = True
    for n, lesson in enumerate(enrolment.version.lessons, 1):
        p = progress.get(lesson["key"])
        passed = bool(p and p.passed_at)
        done += passed
        lessons.append(
            {
                "n": n,
                "key": lesson["key"],
                "title": lesson["title"],
                "minutes": lesson["minutes"],
                "read": bool(p and p.read_at),
                "passed": passed,
                "open": previous_passed,
                "score": p.best_score if p else None,
            }
        )
        previous_passed = passed
    total = len(lessons)
    return {
        "lessons": lessons,
        "done": done,
        "total": total,
        "percent": round(100 * done / total) if total else 0,
    }


def addresses(learner) -> list[str]:
    """Every verified address of the learner's account (pathways count credentials sent to any of them)."""
    emails = [learner.email.lower()]
    if learner.account_id:
        emails += [e for e in learner.account.emails.values_list("normalized", flat=True) if e not in emails]
    return emails
