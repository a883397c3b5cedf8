from datetime import timedelta

from django.apps import AppConfig

from credstack.credentials.signals import ISSUED, STATE_CHANGED
from credstack.learning.signals import ENROLMENT_COMPLETED
from credstack.outbox.registry import subscribe
from credstack.pathways.signals import PATHWAY_COMPLETED
from credstack.scheduler.registry import register as register_periodic


class WebhooksConfig(AppConfig):
    name = "credstack.webhooks"
    label = "webhooks"

    def ready(self) -> None:
        from . import actions, receivers  # in ready(): they import models, loaded only now

        # credential changes become events through the outbox (decision 0036): one webhook-id each
        subscribe(
            ISSUED, "webhooks.credential_issued", receivers.publish_issued, many=receivers.publish_issued_many
        )
        subscribe(STATE_CHANGED, "webhooks.credential_state_changed", receivers.publish_state_changed)
        subscribe(ENROLMENT_COMPLETED, "webhooks.course_completed", receivers.publish_course_completed)
        subscribe(PATHWAY_COMPLETED, "webhooks.pathway_completed", receivers.publish_pathway_completed)

        # a rotated-out secret no longer signs once its window is over; this erases it from the database
        register_periodic(
            "webhooks.forget_expired_secrets", actions.forget_expired_secrets, every=timedelta(hours=1)
        )
        # a delivery whose queued attempt never ran (worker killed mid-attempt, job lost) is queued again
        register_periodic("webhooks.requeue_overdue", actions.requeue_overdue, every=timedelta(minutes=10))
