from django.apps import AppConfig


class PathwaysConfig(AppConfig):
    name = "credstack.pathways"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import receivers  # noqa: F401  (in ready(): it imports models, loaded only now)
