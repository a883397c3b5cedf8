from datetime import timedelta

from django.apps import AppConfig

from credstack.credentials.signals import ISSUED
from credstack.outbox.registry import subscribe
from credstack.scheduler.registry import register as register_periodic
from credstack.ui.nav import register


class DeliveryConfig(AppConfig):
    name = "credstack.delivery"
    label = "delivery"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import actions, receivers  # models load after apps.py; receivers connects to signals

        # the credential's email, through the outbox (decision 0036): sent even if the issuer's process dies
        subscribe(
            ISSUED, "delivery.credential_email", receivers.email_issued, many=receivers.email_issued_many
        )

        # daily, on the task worker (credstack.scheduler); `send_expiry_reminders` still works from cron
        register_periodic("delivery.expiry_reminders", actions.send_expiry_reminders, every=timedelta(days=1))
        # emails whose retry a backend that cannot defer never ran, or whose worker died mid-attempt
        register_periodic("delivery.send_due", actions.send_due, every=timedelta(minutes=5))
        register("Emails", "delivery-templates", role="admin", order=75)
