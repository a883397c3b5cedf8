from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Send the xAPI statements whose retry is due (run every few minutes, e.g. from cron)."

    def handle(self, *args, **options):
        from credstack.xapi.actions import flush

        self.stdout.write(f"{flush()} statement(s) delivered")
