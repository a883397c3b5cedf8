"""When an LTI-launched enrolment completes, its grade goes back to the LMS (an outbox consumer of
``learning.enrolment_completed``, decision 0036, subscribed in ``apps.py``)."""

from __future__ import annotations

from .models import LtiGradeTarget
from .tasks import send_lti_grade


def grade_completed(payload: dict, key: str) -> None:
    """Twice is once: ``send_grade`` skips a target once its ``sent_at`` is set, and a repeated score post
    replaces the same score at the platform."""
    target = LtiGradeTarget.objects.filter(enrolment_id=payload["enrolment"], sent_at__isnull=True).first()
    if target is not None:
        send_lti_grade.enqueue(target.pk)
