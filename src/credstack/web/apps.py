from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "credstack.web"
    label = "web"
