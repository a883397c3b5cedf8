from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "credstack.web"
    label = "web"

    def ready(self) -> None:
        from credstack import metrics  # after the apps are loaded (it reaches django-prometheus)

        metrics.share_cursor_classes()
