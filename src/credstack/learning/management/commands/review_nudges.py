from django.core.management.base import BaseCommand

from credstack.learning.actions import send_review_nudges


class Command(BaseCommand):
    help = "Email learners whose missed questions are due for review (run daily, e.g. from cron)."

    def handle(self, *args, **options):
        self.stdout.write(f"{send_review_nudges()} reminder(s) sent")
