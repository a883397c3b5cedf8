from django_tasks import task

from . import actions


@task()
def send_lti_grade(target_id: int) -> bool:
    return actions.send_grade(target_id)
