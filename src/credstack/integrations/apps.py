from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "credstack.integrations"
    label = "integrations"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from datetime import timedelta

        from credstack.scheduler.registry import register as register_periodic

        from . import actions  # the sweep below: apps are loaded before their actions can import models

        register_periodic("integrations.finish_unfinished", actions.finish_unfinished, every=timedelta(minutes=5))
        try:
            from credstack.workspace.nav import register
        except ImportError:  # the workspace is optional
            return
        register("Integrations", "integrations:list", role="admin", order=85)
