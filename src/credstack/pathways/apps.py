from django.apps import AppConfig

from credstack.credentials.signals import ISSUED, STATE_CHANGED
from credstack.outbox.registry import subscribe


class PathwaysConfig(AppConfig):
    name = "credstack.pathways"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import actions, receivers  # in ready(): they import models, loaded only now

        # evaluations and policies follow credential changes through the outbox (decision 0036)
        subscribe(ISSUED, "pathways.evaluate", receivers.evaluate_issued, many=receivers.evaluate_issued_many)
        subscribe(STATE_CHANGED, "pathways.policy", receivers.apply_state_change)
        subscribe(actions.BACKFILL, "pathways.backfill", actions.backfill_effect)
