"""Review: missed questions answered again, and the reminder emails turned off (from the email's link)
or on and off (from the course)."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from .. import actions, queries, tokens
from ..models import ReviewItem
from .common import player


@player
def review(request, course, enrolment):
    due = list(queries.due_reviews(enrolment)[:10])
    feedback = None
    if request.method == "POST":
        item = get_object_or_404(ReviewItem, enrolment=enrolment, pk=request.POST.get("item") or 0)
        question = next(
            q
            for q in enrolment.version.lesson(item.lesson_key)["quiz"]["questions"]
            if q["key"] == item.question_key
        )
        name = f"q-{question['key']}"
        answer = request.POST.getlist(name) if question["kind"] == "multiple" else request.POST.get(name, "")
        try:
            feedback = actions.answer_review(item, answer)
        except queries.LearningError:
            pass
        due = list(queries.due_reviews(enrolment)[:10])
    items = []
    for item in due:
        question = next(
            q
            for q in enrolment.version.lesson(item.lesson_key)["quiz"]["questions"]
            if q["key"] == item.question_key
        )
        items.append({"item": item, "question": question, "choices": question.get("choices") or []})
    return render(
        request,
        "learning/review.html",
        {
            "course": course,
            "enrolment": enrolment,
            "items": items[:1],
            "remaining": len(items),
            "feedback": feedback,
        },
    )


# ---------------------------------------------------------------- review reminders


@csrf_exempt  # the token is the authority; mail apps' one-click unsubscribe POSTs without a form (RFC 8058)
def reminders_off(request, token):
    """From the reminder email: GET shows a button (link scanners must not unsubscribe anyone), POST stops."""
    enrolment = tokens.enrolment_for_reminders_token(token)
    if enrolment is None:
        raise Http404("this link is not valid")
    course = enrolment.course
    if request.method == "POST":
        actions.set_review_emails(enrolment, False)
        return render(
            request,
            "learning/message.html",
            {
                "course": course,
                "title": _("Reminders stopped"),
                "message": _(
                    "You will get no more review reminders for “%(title)s”. You can turn them on again on the "
                    "course page."
                )
                % {"title": course.title},
                "back": reverse("learning:course", args=[course.organization.slug, course.slug]),
            },
        )
    return render(request, "learning/reminders_off.html", {"course": course, "enrolment": enrolment})


@player
@require_POST
def reminders(request, course, enrolment):
    """The course page's switch for review reminders."""
    actions.set_review_emails(enrolment, request.POST.get("on") == "1")
    return redirect("learning:course", course.organization.slug, course.slug)
