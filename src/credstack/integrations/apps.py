from datetime import timedelta

from django.apps import AppConfig

from credstack.scheduler.registry import register as register_periodic
from credstack.ui.nav import register


class IntegrationsConfig(AppConfig):
    name = "credstack.integrations"
    label = "integrations"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import actions  # needs the models: importable only once the apps are loaded

        # events a dead process left unprocessed are finished (the source may never send them again)
        register_periodic(
            "integrations.finish_unfinished", actions.finish_unfinished, every=timedelta(minutes=5)
        )
        register("Integrations", "integrations:list", role="admin", order=85)
