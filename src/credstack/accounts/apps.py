from django.apps import AppConfig

from credstack.ui.nav import register


class AccountsConfig(AppConfig):
    name = "credstack.accounts"
    label = "accounts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        register("Single sign-on", "sso-settings", role="admin", order=88)
