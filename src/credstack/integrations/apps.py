from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "credstack.integrations"
    label = "integrations"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        try:
            from credstack.workspace.nav import register
        except ImportError:  # the workspace is optional
            return
        register("Integrations", "integrations:list", role="admin", order=85)
