from __future__ import annotations

from django_tasks import task

from .models import Statement


@task()
def send_statement(statement_pk: int) -> bool:
    """Deliver one statement; a failure leaves it for ``flush`` at its next try time."""
    from . import actions

    record = Statement.objects.filter(pk=statement_pk, sent_at__isnull=True).first()
    return actions.deliver(record) if record else True


@task()
def flush_statements() -> int:
    from . import actions

    return actions.flush()
