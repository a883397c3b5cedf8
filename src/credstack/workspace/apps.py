from datetime import timedelta

from django.apps import AppConfig

from credstack.scheduler.registry import register as register_periodic
from credstack.ui.nav import register

SIDEBAR = (
    ("Dashboard", "workspace-dashboard", "viewer", 10),
    ("Credentials", "workspace-credentials", "viewer", 20),
    ("Issue", "workspace-issue", "issuer", 22),
    ("Bulk issue", "workspace-bulk", "issuer", 24),
    ("Achievements", "workspace-achievements", "viewer", 30),
    ("Skills", "workspace-skills", "viewer", 32),
    ("Designs", "workspace-designs", "viewer", 40),
    ("Analytics", "workspace-analytics", "viewer", 60),
    ("Audit log", "workspace-audit", "viewer", 70),
    ("Members", "workspace-members", "viewer", 80),
    ("Settings", "workspace-settings", "admin", 90),
)


class WorkspaceConfig(AppConfig):
    name = "credstack.workspace"
    label = "workspace"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from credstack.workspace.bulk import (  # uses the models: loaded once apps are ready
            purge_uploads,
            resume_stalled,
        )

        for label, url_name, role, order in SIDEBAR:
            register(label, url_name, role=role, order=order)
        # bulk uploads hold personal data: delete what is no longer needed (CREDSTACK_BULK_RETENTION_DAYS)
        register_periodic("workspace.purge_bulk_uploads", purge_uploads, every=timedelta(days=1))
        # a job whose worker died (killed, restarted) is resumed, not left "Issuing" for good
        register_periodic("workspace.resume_stalled_bulk_jobs", resume_stalled, every=timedelta(minutes=5))
