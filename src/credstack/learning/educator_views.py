"""The educator's pages about a course's learners, under /w/<org_slug>/courses/<course>/ beside the course
editor (workspace roles: viewers read the analytics, issuers invite learners and reset a quiz). They live
in the learning app, which owns enrolments and attempts; the course editor (``credstack.courses.views``)
knows nothing of them."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from credstack.courses.forms import InviteForm
from credstack.courses.models import Course
from credstack.courses.views import edit_page
from credstack.organizations.actors import Actor
from credstack.organizations.permissions import Role, member_required
from credstack.ui.exports import csv_text

from . import actions, queries
from .models import Enrolment
from .queries import LearningError


def _course(request, public_id) -> Course:
    return get_object_or_404(
        Course.objects.select_related("achievement"), organization=request.organization, public_id=public_id
    )


@require_POST
@member_required(Role.ISSUER)
def invite(request, org_slug, public_id):
    course = _course(request, public_id)
    form = InviteForm(request.POST)
    if form.is_valid():
        try:
            enrolments = actions.invite(
                course, form.cleaned_data["emails"], actor=Actor.for_user(request.user)
            )
        except ValidationError as exc:
            # the list stays in its box with what is wrong right under it, so one typo is one fix
            for message in exc.messages:
                form.add_error("emails", message)
        else:
            messages.success(
                request,
                ngettext("Invited %(count)d learner.", "Invited %(count)d learners.", len(enrolments))
                % {"count": len(enrolments)},
            )
            return redirect("courses:edit", org_slug, public_id)
    else:
        form.errors["emails"] = form.error_class([_("Give at least one email address.")])
    messages.error(request, _("Nobody was invited: fix the list below and send again."))
    return edit_page(request, course, invite_form=form, status=400)


@require_POST
@member_required(Role.ISSUER)
def reset_attempts(request, org_slug, public_id, enrolment_id, lesson_key):
    course = _course(request, public_id)
    enrolment = get_object_or_404(
        Enrolment.objects.select_related("learner", "version"), course=course, public_id=enrolment_id
    )
    try:
        left = actions.reset_attempts(enrolment, lesson_key, actor=Actor.for_user(request.user))
    except (LearningError, IndexError, KeyError) as exc:
        messages.error(request, str(exc) or _("There is no such lesson in this learner's version."))
    else:
        messages.success(
            request,
            _("%(email)s can take that quiz again (%(left)s attempts).")
            % {"email": enrolment.learner.email, "left": left},
        )
    return redirect("learners:analytics", org_slug, public_id)


@member_required(Role.VIEWER)
def analytics(request, org_slug, public_id):
    course = _course(request, public_id)
    return render(
        request,
        "learning/educator/analytics.html",
        {
            "course": course,
            "a": queries.course_analytics(course),
            "learners": list(queries.learner_rows(course))[:200],
        },
    )


@member_required(Role.VIEWER)
def export_csv(request, org_slug, public_id):
    course = _course(request, public_id)
    rows = list(queries.learner_rows(course))
    lessons = max((r["lessons_total"] for r in rows), default=0)
    header = [
        "email",
        "name",
        "status",
        "course_version",
        "lessons_done",
        "lessons_total",
        "quiz_attempts",
        *[f"lesson_{n}_best_score" for n in range(1, lessons + 1)],
        "average_score",
        "minutes_spent",
        "enrolled_at",
        "last_activity_at",
        "completed_at",
        "credential_url",
    ]
    body = csv_text(
        header,
        (
            [
                r["email"],
                r["name"],
                r["status"],
                r["version"],
                r["lessons_done"],
                r["lessons_total"],
                r["attempts"],
                *(r["scores"] + [None] * (lessons - len(r["scores"]))),
                r["average_score"],
                r["minutes"],
                r["enrolled"].isoformat() if r["enrolled"] else "",
                r["last_activity"].isoformat() if r["last_activity"] else "",
                r["completed"].isoformat() if r["completed"] else "",
                r["credential"],
            ]
            for r in rows
        ),
    )
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{course.slug}-learners.csv"'
    return response
