from django.apps import AppConfig


class DeliveryConfig(AppConfig):
    name = "credstack.delivery"
    label = "delivery"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from datetime import timedelta

        from credstack.scheduler.registry import register as register_periodic

        from . import actions

        # daily, on the task worker (credstack.scheduler); `send_expiry_reminders` still works from cron
        register_periodic("delivery.expiry_reminders", actions.send_expiry_reminders, every=timedelta(days=1))
        try:
            from credstack.workspace.nav import register
        except ImportError:  # the workspace is optional for delivery
            return
        register("Emails", "delivery-templates", role="admin", order=75)
