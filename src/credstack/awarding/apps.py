from django.apps import AppConfig


class AwardingConfig(AppConfig):
    name = "credstack.awarding"
    default_auto_field = "django.db.models.BigAutoField"
