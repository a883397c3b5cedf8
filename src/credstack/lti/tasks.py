from django_tasks import task

from credstack import taskqueues

from . import actions


@task(queue_name=taskqueues.WEBHOOKS)
def send_lti_grade(target_id: int) -> bool:
    return actions.send_grade(target_id)
