from django.core.management.base import BaseCommand, CommandError

from credstack.workspace.bulk import purge_uploads, retention_days


class Command(BaseCommand):
    help = (
        "Delete bulk-upload files and their rows' extra columns once the job is done + N days "
        "(CREDSTACK_BULK_RETENTION_DAYS, default 30). Runs daily on the worker too."
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=None, help="override the retention period")

    def handle(self, *args, days: int | None, **options):
        days = retention_days() if days is None else days
        if days < 0:
            raise CommandError("--days must be 0 or more")
        n = purge_uploads(days=days)
        self.stdout.write(f"{n} bulk upload(s) purged (older than {days} days)")
