from datetime import timedelta

from django.apps import AppConfig

from credstack.scheduler.registry import register as register_periodic


class XapiConfig(AppConfig):
    name = "credstack.xapi"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import actions  # in ready(): it imports the models, loaded only now

        # statements whose queued send was lost (a process killed after the commit) or whose retry a
        # backend that cannot defer never ran; a PUT by statement id is idempotent at the LRS
        register_periodic("xapi.flush", actions.flush, every=timedelta(minutes=5))
