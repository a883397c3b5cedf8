from django.apps import AppConfig


class LearningConfig(AppConfig):
    name = "credstack.learning"
    default_auto_field = "django.db.models.BigAutoField"
