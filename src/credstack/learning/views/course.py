"""The public course page and enrolment."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from credstack.courses.models import Course

from .. import actions, auth, queries
from ..models import Enrolment
from .common import course_for, outline


def course_page(request, org_slug, course_slug):
    course = course_for(org_slug, course_slug)
    version = course.latest_version
    if course.status == Course.Status.DRAFT or version is None:
        raise Http404("no such course")
    learner = auth.current_learner(request, course.organization)
    enrolment = (
        Enrolment.objects.filter(course=course, learner=learner).select_related("version").first()
        if learner
        else None
    )
    context = {
        "course": course,
        "org": course.organization,
        "version": enrolment.version if enrolment else version,
        "learner": learner,
        "enrolment": enrolment,
        "outline": outline(enrolment) if enrolment else None,
        "minutes": sum(lesson["minutes"] for lesson in version.lessons),
        "sign_in_url": auth.login_url(request.path, course.organization),
    }
    if enrolment:
        context["resume_key"] = queries.resume_lesson_key(enrolment)
        context["due_reviews"] = queries.due_reviews(enrolment).count()
    return render(request, "learning/course.html", context)


@require_POST
def enrol(request, org_slug, course_slug):
    course = course_for(org_slug, course_slug)
    learner = auth.current_learner(request, course.organization)
    if learner is None:
        return redirect(
            auth.login_url(reverse("learning:course", args=[org_slug, course_slug]), course.organization)
        )
    invited = Enrolment.objects.filter(course=course, learner=learner).exists()
    if not course.open_enrolment and not invited:
        return render(
            request,
            "learning/message.html",
            {
                "course": course,
                "title": _("By invitation only"),
                "message": _(
                    "This course is open to invited learners only. Ask the course team for an invitation."
                ),
            },
            status=403,
        )
    name = request.POST.get("name", "").strip()
    if name and not learner.name:
        try:
            actions.set_name(learner, name)
        except ValidationError as exc:
            return render(
                request,
                "learning/message.html",
                {
                    "course": course,
                    "title": _("Please check your name"),
                    "message": "; ".join(" ".join(v) for v in exc.message_dict.values()),
                },
                status=400,
            )
    try:
        enrolment = actions.enrol(course, learner)
    except queries.LearningError as exc:
        return render(
            request,
            "learning/message.html",
            {"course": course, "title": _("Not open"), "message": str(exc)},
            status=400,
        )
    return redirect("learning:lesson", org_slug, course_slug, queries.resume_lesson_key(enrolment))
