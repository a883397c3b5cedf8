from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "credstack.api"
    label = "api"

    def ready(self) -> None:
        from credstack.workspace.nav import register

        register("Developers", "developers:home", role="admin", order=86)
