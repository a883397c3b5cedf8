from django.apps import AppConfig


class Ob3ApiConfig(AppConfig):
    name = "credstack.ob3api"
    label = "ob3api"
    verbose_name = "Open Badges 3.0 API"
