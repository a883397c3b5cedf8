from django.apps import AppConfig

from credstack.outbox.registry import subscribe


class AwardingConfig(AppConfig):
    name = "credstack.awarding"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import actions  # in ready(): it imports models, loaded only now

        # the xAPI "earned" statement follows a learner's credential through the outbox (decision 0036)
        subscribe(actions.EARNED, "xapi.earned", actions.earned_effect)
