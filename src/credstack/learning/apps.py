from django.apps import AppConfig

from credstack.credentials import renewal
from credstack.outbox.registry import subscribe


class LearningConfig(AppConfig):
    name = "credstack.learning"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import actions, queries, receivers  # noqa: F401  (follows the portal's accounts; in ready(): imports models)

        # course invitations go out through the outbox (decision 0036)
        subscribe(actions.INVITATION, "learning.invitation", actions.invitation_effect)
        subscribe(actions.QUIZ_SUBMITTED, "learning.quiz_xapi", actions.quiz_effect)
        subscribe(actions.REVIEW_NUDGE, "learning.review_nudge", actions.review_nudge_effect)

        # the expiry reminder links to the course that renews the credential (take it again)
        renewal.offer(queries.renewal_link)
