from django.apps import AppConfig


class CredentialsConfig(AppConfig):
    name = "credstack.credentials"
    label = "credentials"
