from django.apps import AppConfig


class OB2Config(AppConfig):
    name = "credstack.ob2"
    label = "ob2"
    default_auto_field = "django.db.models.BigAutoField"
