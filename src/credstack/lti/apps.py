from django.apps import AppConfig

from credstack.learning.signals import ENROLMENT_COMPLETED
from credstack.outbox.registry import subscribe
from credstack.ui.nav import register


class LtiConfig(AppConfig):
    name = "credstack.lti"
    label = "lti"
    verbose_name = "LTI 1.3"

    def ready(self) -> None:
        from . import receivers  # grade return; in ready(): it imports models, loaded only now

        subscribe(ENROLMENT_COMPLETED, "lti.grade", receivers.grade_completed)
        register("LTI", "lti:platforms", role="admin", order=87)
