from django.apps import AppConfig

from credstack.ui.nav import register


class IntegrationsConfig(AppConfig):
    name = "credstack.integrations"
    label = "integrations"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        register("Integrations", "integrations:list", role="admin", order=85)
