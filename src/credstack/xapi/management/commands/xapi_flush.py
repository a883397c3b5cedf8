from django.core.management.base import BaseCommand

from credstack.xapi.actions import flush


class Command(BaseCommand):
    help = "Send the xAPI statements whose retry is due (run every few minutes, e.g. from cron)."

    def handle(self, *args, **options):
        self.stdout.write(f"{flush()} statement(s) delivered")
