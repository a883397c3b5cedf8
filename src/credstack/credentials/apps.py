from datetime import timedelta

from django.apps import AppConfig
from django.conf import settings
from django.db.backends.signals import connection_created
from django.db.models.signals import post_migrate

from credstack.outbox.registry import subscribe
from credstack.scheduler.registry import register as register_periodic

from .search import ensure_sqlite_index, register_sqlite_function
from .signals import ISSUED


class CredentialsConfig(AppConfig):
    name = "credstack.credentials"
    label = "credentials"

    def ready(self) -> None:
        from . import actions, files, invalidation  # the models load after every apps.py

        invalidation.connect()  # cached public pages (pagecache) start anew when what they show changes

        # the name search (decision 0024): SQLite's case folding for every script, on every connection
        connection_created.connect(register_sqlite_function, dispatch_uid="credstack-sqlite-icontains")
        # A later migration that remakes the credential table on SQLite drops the search triggers.
        post_migrate.connect(ensure_sqlite_index, dispatch_uid="credstack-name-search-triggers")

        # certificates rendered on the pdfs queue as credentials are issued (decision 0047), when asked for
        if getattr(settings, "CREDSTACK_PDFS_AHEAD", False):
            subscribe(ISSUED, "credentials.certificate_pdf", files.pdfs_ahead, many=files.pdfs_ahead_many)

        # a leaked key: its credentials are signed again in the background, resumed if stopped (0054)
        subscribe(actions.KEY_COMPROMISED, "credentials.resign", actions.key_compromised_effect)
        register_periodic(
            "credentials.resume_resigning", actions.resume_resigning, every=timedelta(minutes=10)
        )
        # "credential.expired" goes out to webhook subscribers once per expiry
        register_periodic(
            "credentials.announce_expired", actions.announce_expired, every=timedelta(minutes=15)
        )
