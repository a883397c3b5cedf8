from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "credstack.api"
    label = "api"
