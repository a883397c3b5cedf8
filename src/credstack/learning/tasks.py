"""Learning side effects, run by the task worker."""

from __future__ import annotations

from django.core.mail import send_mail
from django.template.loader import render_to_string
from django_tasks import task

from .models import Enrolment


@task()
def send_invitation(enrolment_id: int, to: str | None = None) -> str:
    enrolment = Enrolment.objects.select_related("course__organization", "learner").get(pk=enrolment_id)
    context = {"enrolment": enrolment, "course": enrolment.course, "org": enrolment.course.organization}
    send_mail(
        subject=f"You are invited: {enrolment.course.title}",
        message=render_to_string("learning/email/invitation.txt", context),
        from_email=None,
        recipient_list=[to or enrolment.learner.email],
    )
    return "sent"


@task()
def send_review_nudges() -> int:
    from .actions import send_review_nudges as nudge

    return nudge()
