"""Learning side effects, run by the task worker."""

from __future__ import annotations

from django_tasks import task

from .models import Enrolment


@task()
def send_invitation(enrolment_id: int, to: str | None = None) -> str:
    from .emails import build, short_title

    enrolment = Enrolment.objects.select_related("course__organization", "learner").get(pk=enrolment_id)
    course = enrolment.course
    address = to or enrolment.learner.email
    build(
        template="invitation",
        subject=f"You are invited: {short_title(course.title)}",
        to=[address],
        org=course.organization,
        context={
            "enrolment": enrolment,
            "course": course,
            "address": address,
            "button_label": "Start the course",
            "button_url": course.url,
        },
    ).send()
    return "sent"


@task()
def send_review_nudges() -> int:
    from .actions import send_review_nudges as nudge

    return nudge()
