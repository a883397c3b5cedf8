from django.apps import AppConfig


class DesignsConfig(AppConfig):
    name = "credstack.designs"
    label = "designs"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from credstack.credentials.files import use_design_source  # models load after apps.py

        from .queries import design_for_credential  # models load after apps.py

        use_design_source(design_for_credential)  # certificates render from the credential's design version
