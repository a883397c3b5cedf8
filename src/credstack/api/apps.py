from django.apps import AppConfig

from credstack.ui.nav import register


class ApiConfig(AppConfig):
    name = "credstack.api"
    label = "api"

    def ready(self) -> None:
        register("Developers", "developers:home", role="admin", order=86)
