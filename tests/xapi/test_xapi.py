"""xAPI: statements for completed / passed / failed / earned, valid per xAPI 1.0.3 (Learning Locker's
validator), sent to an LRS when one is configured, retried when it fails, nothing when none is."""

from __future__ import annotations

import base64
import json
import subprocess
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.utils import timezone

from credstack import taskqueues
from credstack.learning import actions as learning
from credstack.outbox import actions as outbox
from credstack.outbox.models import OutboxEntry
from credstack.retry import POLICY
from credstack.xapi import actions
from credstack.xapi.models import Statement
from tests.courses.factory import make_course
from tests.interop.conftest import ensure_node_modules
from tests.interop.verifier import INTEROP_DIR
from tests.outbox.test_outbox import commit_then_die

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.interop]


def validate(statements: list[dict]) -> list[dict]:
    ensure_node_modules()
    proc = subprocess.run(
        ["node", "xapi-validate.mjs"],
        cwd=INTEROP_DIR,
        input=json.dumps(statements),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


class FakeLRS:
    """A tiny LRS on the loopback interface: stores what it is sent; can be told to fail."""

    def __init__(self):
        self.received, self.headers, self.fail_next, self.fail_status = [], [], 0, 503
        lrs = self

        class Handler(BaseHTTPRequestHandler):
            def do_PUT(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                if lrs.fail_next:
                    lrs.fail_next -= 1
                    self.send_response(lrs.fail_status)
                    self.end_headers()
                    self.wfile.write(b"busy")
                    return
                lrs.headers.append(self.headers)  # case-insensitive
                lrs.received.append((self.path, json.loads(body)))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        ).start()
        self.url = f"http://127.0.0.1:{self.server.server_port}/xapi/"

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def lrs(settings):
    server = FakeLRS()
    settings.CREDSTACK_XAPI_ENDPOINT = server.url
    settings.CREDSTACK_XAPI_USERNAME = "key"
    settings.CREDSTACK_XAPI_PASSWORD = "secret"
    yield server
    server.close()


def _finish(course, email="ada@example.org", fail_lesson=2):
    enrolment = learning.enrol(course, learning.learner_for(email, "Ada Lovelace"))
    for n, lesson in enumerate(enrolment.version.lessons):
        learning.mark_read(enrolment, lesson["key"])
        q = lesson["quiz"]["questions"][0]
        if n == fail_lesson:
            learning.submit_attempt(learning.start_attempt(enrolment, lesson["key"]), {q["key"]: "wrong"})
        learning.submit_attempt(learning.start_attempt(enrolment, lesson["key"]), {q["key"]: "right"})
    enrolment.refresh_from_db()
    return enrolment


def test_statements_are_valid_xapi_and_reach_the_lrs(org, achievement, lrs):
    course = make_course(org, achievement, lessons=4)
    enrolment = _finish(course)
    assert enrolment.credential is not None
    verbs = [body["verb"]["id"].rsplit("/", 1)[-1] for _, body in lrs.received]
    assert verbs.count("passed") == 4 and verbs.count("failed") == 1
    assert verbs.count("completed") == 1 and verbs.count("earned") == 1
    statements = [body for _, body in lrs.received]
    results = validate(statements)
    assert all(r["valid"] for r in results), [r["warnings"] for r in results if not r["valid"]]
    completed = next(s for s in statements if s["verb"]["id"].endswith("completed"))
    assert completed["actor"]["mbox"] == "mailto:ada@example.org" and completed["object"]["id"] == course.url
    assert completed["result"]["score"] == {"scaled": 1.0, "raw": 100, "min": 0, "max": 100}
    failed = next(s for s in statements if s["verb"]["id"].endswith("failed"))
    assert (
        failed["result"]["success"] is False
        and failed["context"]["contextActivities"]["parent"][0]["id"] == course.url
    )
    assert {path.split("=", 1)[1] for path, _ in lrs.received} == {s["id"] for s in statements}
    assert lrs.headers[0]["X-Experience-API-Version"] == "1.0.3"
    # xAPI 1.0.3 Part Two §2.4.10: a Learning Record Provider SHOULD NOT set the statement's version
    assert not [s for s in statements if "version" in s]
    assert lrs.headers[0]["Authorization"] == "Basic " + base64.b64encode(b"key:secret").decode()
    assert Statement.objects.filter(sent_at__isnull=True).count() == 0


def test_the_validator_rejects_broken_statements():
    good = {
        "actor": {"mbox": "mailto:a@example.org"},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/passed"},
        "object": {"id": "https://example.org/q"},
    }
    broken = {**good, "actor": {"mbox": "a@example.org"}, "timestamp": "yesterday"}
    assert [r["valid"] for r in validate([good, broken])] == [True, False]


def _one_quiz(org, achievement, email="b@example.org"):
    course = make_course(org, achievement, lessons=4)
    enrolment = learning.enrol(course, learning.learner_for(email, "B"))
    lesson = enrolment.version.lessons[0]
    learning.mark_read(enrolment, lesson["key"])
    learning.submit_attempt(
        learning.start_attempt(enrolment, lesson["key"]), {lesson["quiz"]["questions"][0]["key"]: "right"}
    )
    return Statement.objects.get()


def test_a_statement_stored_with_a_version_is_sent_without_it(org, achievement, lrs):
    """Statements queued before credstack stopped setting ``version`` still carry "1.0.3" in the
    database; what reaches the LRS has none, and is otherwise the statement as stored."""
    record = _one_quiz(org, achievement)
    stored = {**record.payload, "version": "1.0.3"}
    Statement.objects.filter(pk=record.pk).update(payload=stored, sent_at=None)
    lrs.received.clear()
    record.refresh_from_db()
    assert actions.deliver(record) is True
    [(_, body)] = lrs.received
    assert "version" not in body and body == {k: v for k, v in stored.items() if k != "version"}


def test_a_failing_lrs_gets_retries_on_the_shared_schedule_then_succeeds(org, achievement, lrs):
    lrs.fail_next = 2  # 503 twice, then it takes the statement
    record = _one_quiz(org, achievement)
    assert record.sent_at is None and record.attempts == 1 and "HTTP 503" in record.last_error
    first_wait = (record.next_try_at - timezone.now()).total_seconds()
    assert 0 < first_wait <= POLICY.delays[0] * (1 + POLICY.jitter)
    assert actions.flush(now=record.next_try_at - timedelta(seconds=1)) == 0  # not due yet
    due = record.next_try_at
    assert actions.flush(now=due) == 0  # fails again: the next delay of the schedule
    record.refresh_from_db()
    waited = (record.next_try_at - due).total_seconds()
    assert record.attempts == 2 and POLICY.delays[1] <= waited <= POLICY.delays[1] * (1 + POLICY.jitter)
    assert actions.flush(now=record.next_try_at) == 1
    record.refresh_from_db()
    assert record.sent_at is not None and record.attempts == 3 and record.next_try_at is None
    assert len(lrs.received) == 1 and lrs.received[0][1]["id"] == str(record.statement_id)


def test_an_lrs_that_keeps_failing_is_given_up_on_after_the_last_attempt(org, achievement, lrs):
    lrs.fail_next = 100
    record = _one_quiz(org, achievement)
    while record.next_try_at is not None:
        actions.flush(now=record.next_try_at)
        record.refresh_from_db()
    assert record.attempts == POLICY.max_attempts and record.sent_at is None
    assert "HTTP 503" in record.last_error and "given up" in record.last_error
    assert actions.flush(now=timezone.now() + timedelta(days=30)) == 0 and lrs.received == []


def test_a_statement_the_lrs_refuses_for_good_is_not_retried(org, achievement, lrs):
    lrs.fail_next, lrs.fail_status = 1, 400
    record = _one_quiz(org, achievement)
    assert (record.attempts, record.sent_at, record.next_try_at) == (1, None, None)
    assert "HTTP 400" in record.last_error and "given up" in record.last_error


def test_without_an_lrs_nothing_is_queued_and_nothing_breaks(org, achievement, settings):
    settings.CREDSTACK_XAPI_ENDPOINT = ""
    course = make_course(org, achievement, lessons=4)
    assert _finish(course).credential is not None
    assert not Statement.objects.exists()


def test_with_a_deferring_worker_retries_and_nudges_schedule_themselves(org, achievement, lrs, settings):
    from django_tasks import task_backends

    settings.TASKS = {
        "default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend", "QUEUES": taskqueues.ALL}
    }
    backend = task_backends["default"]
    course = make_course(org, achievement, lessons=4)
    enrolment = learning.enrol(course, learning.learner_for("d@example.org", "D"))
    lesson = enrolment.version.lessons[0]
    learning.mark_read(enrolment, lesson["key"])
    learning.submit_attempt(
        learning.start_attempt(enrolment, lesson["key"]), {lesson["quiz"]["questions"][0]["key"]: "wrong"}
    )
    queued = {r.task.name: r for r in backend.results}
    nudges = [r for r in backend.results if r.task.name == "send_review_nudges_task"]
    assert sorted(round((r.task.run_after - timezone.now()).total_seconds() / 86400) for r in nudges) == [
        7,
        30,
    ]
    assert "send_statement" in queued  # the statement waits for the worker
    lrs.fail_next = 1
    record = Statement.objects.get()
    actions.deliver(record)
    retry = [r for r in backend.results if r.task.name == "send_statement" and r.task.run_after]
    assert len(retry) == 1 and abs((retry[0].task.run_after - record.next_try_at).total_seconds()) < 1


def test_a_quiz_statement_lost_in_a_crash_is_made_by_the_sweep_once(org, achievement, lrs):
    """The attempt commits, the process dies before its after-commit work: the outbox row is there, and
    the sweep makes the one statement (its id comes from the attempt, so a second run adds none)."""
    course = make_course(org, achievement, lessons=4)
    enrolment = learning.enrol(course, learning.learner_for("c@example.org", "C"))
    lesson = enrolment.version.lessons[0]
    learning.mark_read(enrolment, lesson["key"])
    attempt = learning.start_attempt(enrolment, lesson["key"])
    answers = {lesson["quiz"]["questions"][0]["key"]: "right"}
    commit_then_die(lambda: learning.submit_attempt(attempt, answers))
    assert not Statement.objects.exists()
    later = timezone.now() + timedelta(minutes=1)
    outbox.dispatch_due(later)
    OutboxEntry.objects.update(state=OutboxEntry.State.PENDING, next_attempt_at=timezone.now())
    outbox.dispatch_due(later)  # delivered twice: still one statement
    [statement] = Statement.objects.all()
    assert statement.verb == "passed" and statement.payload["object"]["id"].endswith("/quiz")
