from django.apps import AppConfig


class LearningConfig(AppConfig):
    name = "credstack.learning"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import receivers  # noqa: F401  (follows the portal's accounts; in ready(): imports models)
