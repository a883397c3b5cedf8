from django.apps import AppConfig
from django.db.models.signals import post_migrate


class WorkspaceConfig(AppConfig):
    name = "credstack.workspace"
    label = "workspace"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.db.backends.signals import connection_created

        from credstack.workspace.search import ensure_sqlite_index, register_sqlite_function

        connection_created.connect(register_sqlite_function, dispatch_uid="credstack-sqlite-icontains")

        # A later migration that remakes the credential table on SQLite drops the search triggers.
        post_migrate.connect(ensure_sqlite_index, dispatch_uid="credstack-name-search-triggers")

        from datetime import timedelta

        from credstack.workspace.bulk import purge_uploads

        try:
            from credstack.scheduler.registry import register as register_periodic
        except ImportError:  # without the scheduler: `credstack manage purge_bulk_uploads` from cron
            return
        # bulk uploads hold personal data: delete what is no longer needed (CREDSTACK_BULK_RETENTION_DAYS)
        register_periodic("workspace.purge_bulk_uploads", purge_uploads, every=timedelta(days=1))
