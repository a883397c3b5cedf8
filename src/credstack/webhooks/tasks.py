from django_tasks import task

from . import actions


@task()
def deliver_webhook(delivery_id: int) -> str:
    return actions.attempt(delivery_id).state
