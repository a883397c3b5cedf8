from django.apps import AppConfig


class VerifierConfig(AppConfig):
    name = "credstack.verifier"
    label = "verifier"
    default_auto_field = "django.db.models.BigAutoField"
