from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "credstack.webhooks"
    label = "webhooks"

    def ready(self) -> None:
        from . import receivers  # noqa: F401  (connects to the credential signals)
