from django.core.management.base import BaseCommand

from credstack.scheduler import actions, registry


class Command(BaseCommand):
    help = (
        "Run the periodic jobs that are due (for cron, when the task backend cannot defer tasks), "
        "or with --ensure queue each job's next run on the worker."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--ensure", action="store_true", help="queue each job's chain instead")
        parser.add_argument("--list", action="store_true", help="list the registered jobs")

    def handle(self, *args, ensure=False, list=False, **options) -> None:
        if list:
            for job in registry.jobs():
                self.stdout.write(f"{job.name}\tevery {job.every}")
            return
        if ensure:
            if not actions.can_defer():
                self.stderr.write("this task backend cannot defer tasks: run `run_periodic` from cron")
                return
            for name, task_id in actions.ensure_all().items():
                self.stdout.write(f"{name}: queued as task {task_id}")
            return
        ran = actions.run_due()
        for name, outcome in ran.items():
            self.stdout.write(f"{name}: {outcome}")
        if not ran:
            self.stdout.write("no periodic job is due")
