from django.apps import AppConfig


class WorkspaceConfig(AppConfig):
    name = "credstack.workspace"
    label = "workspace"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from datetime import timedelta

        from credstack.workspace.bulk import purge_uploads, resume_stalled

        try:
            from credstack.scheduler.registry import register as register_periodic
        except ImportError:  # without the scheduler: `credstack manage purge_bulk_uploads` from cron
            return
        # bulk uploads hold personal data: delete what is no longer needed (CREDSTACK_BULK_RETENTION_DAYS)
        register_periodic("workspace.purge_bulk_uploads", purge_uploads, every=timedelta(days=1))
        # a job whose worker died (killed, restarted) is resumed, not left "Issuing" for good
        register_periodic("workspace.resume_stalled_bulk_jobs", resume_stalled, every=timedelta(minutes=5))
