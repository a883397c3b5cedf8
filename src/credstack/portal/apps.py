from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "credstack.portal"
    label = "portal"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from credstack.credentials.visibility import allow_viewer  # models load after apps.py

        from .queries import is_holder  # models load after apps.py

        allow_viewer(is_holder)  # a private credential's page and files show to its holder
