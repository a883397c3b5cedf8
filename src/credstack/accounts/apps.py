from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "credstack.accounts"
    label = "accounts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from credstack.ui.nav import register

        register("Single sign-on", "sso-settings", role="admin", order=88)
