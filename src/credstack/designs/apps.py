from django.apps import AppConfig


class DesignsConfig(AppConfig):
    name = "credstack.designs"
    label = "designs"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from credstack.credentials.files import use_design_source  # models load after apps.py

        from .queries import design_for_credential, designs_for_credentials  # models load after apps.py

        # certificates render from the credential's design version
        use_design_source(design_for_credential, designs_for_credentials)
