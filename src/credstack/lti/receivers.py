"""When an LTI-launched enrolment completes, its grade goes back to the LMS."""

from __future__ import annotations

from django.dispatch import receiver

from credstack.learning.signals import enrolment_completed

from .models import LtiGradeTarget
from .tasks import send_lti_grade


@receiver(enrolment_completed)
def on_enrolment_completed(sender, enrolment, **kwargs):
    target = LtiGradeTarget.objects.filter(enrolment=enrolment, sent_at__isnull=True).first()
    if target is not None:
        send_lti_grade.enqueue(target.pk)
