from django.apps import AppConfig


class DeliveryConfig(AppConfig):
    name = "credstack.delivery"
    label = "delivery"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        try:
            from credstack.workspace.nav import register
        except ImportError:  # the workspace is optional for delivery
            return
        register("Emails", "delivery-templates", role="admin", order=75)
