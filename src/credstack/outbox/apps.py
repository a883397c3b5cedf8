from django.apps import AppConfig


class OutboxConfig(AppConfig):
    """The outbox sits below every app that emits (organizations included), so its periodic jobs
    (``outbox.dispatch_due``, ``outbox.purge_done``) are registered by the scheduler's ``ready()``."""

    name = "credstack.outbox"
    label = "outbox"
    default_auto_field = "django.db.models.BigAutoField"
