from django.apps import AppConfig

from credstack.ui.nav import register


class EndorsementsConfig(AppConfig):
    """Open Badges 3.0 endorsements: requested by an issuer, given by anyone with the link (decision 0053)."""

    name = "credstack.endorsements"
    label = "endorsements"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from credstack.credentials.carried import set_source  # models load after apps.py
        from credstack.credentials.page_sections import add_section  # models load after apps.py

        from .queries import carried  # models load after apps.py
        from .views import credential_section  # models load after apps.py

        add_section(credential_section)  # endorsements shown and verified on the credential page
        set_source(carried)  # and carried inside new credentials (decision 0062)
        register("Endorsements", "endorsements:requests", role="issuer", order=45)
