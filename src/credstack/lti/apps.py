from django.apps import AppConfig


class LtiConfig(AppConfig):
    name = "credstack.lti"
    label = "lti"
    verbose_name = "LTI 1.3"

    def ready(self) -> None:
        from . import receivers  # noqa: F401  (grade return; in ready(): it imports models, loaded only now)
