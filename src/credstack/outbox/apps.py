from datetime import timedelta

from django.apps import AppConfig

from credstack.scheduler.registry import register as register_periodic


class OutboxConfig(AppConfig):
    name = "credstack.outbox"
    label = "outbox"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import actions  # in ready(): it imports the models, loaded only now

        # effects whose committing process died before dispatching them, and retries that are due
        register_periodic("outbox.dispatch_due", actions.dispatch_due, every=timedelta(minutes=1))
        register_periodic("outbox.purge_done", actions.purge_done, every=timedelta(days=1))
