from django.core.management.base import BaseCommand

from credstack.delivery.actions import REMINDER_DAYS, send_expiry_reminders


class Command(BaseCommand):
    help = "Email recipients whose credentials expire soon (once per credential). The task worker already runs this daily (credstack.scheduler); use this command from cron only with a task backend that cannot defer."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=REMINDER_DAYS, help="how far ahead to look")

    def handle(self, *args, days: int, **options):
        sent = send_expiry_reminders(days=days)
        self.stdout.write(f"{sent} expiry reminder(s) sent")
