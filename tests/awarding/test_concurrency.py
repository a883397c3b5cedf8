"""Two completion events for the same learner at the same moment give one credential.

Threads with their own database connections (real concurrency on PostgreSQL; on SQLite the writers
queue on the database lock) start together behind a barrier.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from credstack.awarding import actions
from credstack.awarding.models import Fulfillment, Progress
from credstack.credentials.models import Credential
from tests.courses.factory import make_course

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 4


def test_simultaneous_completion_events_issue_one_credential(org, achievement):
    course = make_course(org, achievement)
    barrier = threading.Barrier(THREADS)
    outcomes, errors = [], []

    def complete():
        try:
            barrier.wait(timeout=30)
            outcomes.append(
                actions.handle_event(
                    organization=org,
                    event_type="course.completed",
                    course=course,
                    recipient_email="ada@example.org",
                    recipient_name="Ada Lovelace",
                    data={"all_lessons_done": True, "all_quizzes_passed": True, "average_score": 92},
                    event_id="enrolment:same",
                )
            )
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=complete) for _ in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    assert len(outcomes) == THREADS
    assert Credential.objects.filter(recipient_email="ada@example.org").count() == 1
    assert len({o.credential.pk for o in outcomes}) == 1
    assert sorted(o.status for o in outcomes).count("issued") == 1
    assert Progress.objects.count() == 1 and Fulfillment.objects.count() == 1
    # how many threads got as far as signing (a status slot each): > 1 means the race really happened
    from credstack.credentials.models import StatusList

    print(f"pipeline runs that raced: {sum(s.next_slot for s in StatusList.objects.all())}")
