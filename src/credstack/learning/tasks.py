"""Learning side effects, run by the task worker."""

from __future__ import annotations

from django_tasks import task

from .models import Enrolment


@task()
def send_invitation(enrolment_id: int, to: str | None = None) -> str:
    from .emails import invitation

    enrolment = Enrolment.objects.select_related("course__organization", "learner").get(pk=enrolment_id)
    invitation(enrolment, to or enrolment.learner.email).send()
    return "sent"


@task()
def send_review_nudges() -> int:
    from .actions import send_review_nudges as nudge

    return nudge()
