from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "credstack.portal"
    label = "portal"
    default_auto_field = "django.db.models.BigAutoField"
