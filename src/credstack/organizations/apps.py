from django.apps import AppConfig

from credstack.outbox.registry import subscribe


class OrganizationsConfig(AppConfig):
    name = "credstack.organizations"
    label = "organizations"

    def ready(self) -> None:
        from . import actions  # in ready(): it imports the models, loaded only now

        subscribe(actions.INVITATION_EMAIL, "organizations.invitation_email", actions.invitation_email_effect)
