from django.apps import AppConfig


class DeliveryConfig(AppConfig):
    name = "credstack.delivery"
    label = "delivery"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from datetime import timedelta

        from credstack.scheduler.registry import register as register_periodic

        from . import actions, receivers  # noqa: F401  (receivers connects to credential_issued)

        # daily, on the task worker (credstack.scheduler); `send_expiry_reminders` still works from cron
        register_periodic("delivery.expiry_reminders", actions.send_expiry_reminders, every=timedelta(days=1))
        # emails whose retry a backend that cannot defer never ran, or whose worker died mid-attempt
        register_periodic("delivery.send_due", actions.send_due, every=timedelta(minutes=5))
        try:
            from credstack.workspace.nav import register
        except ImportError:  # the workspace is optional for delivery
            return
        register("Emails", "delivery-templates", role="admin", order=75)
