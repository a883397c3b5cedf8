"""Learning and awarding: how fast learners complete courses, and what pathways add to issuance.

    .venv/bin/python benchmarks/courses.py [--learners 200]

Runs in a temporary CREDSTACK_HOME on the configured database (SQLite by default); tasks run inline
(pathway evaluation included), email goes to memory.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--learners", type=int, default=200)
    args = parser.parse_args()
    os.environ.setdefault("CREDSTACK_HOME", tempfile.mkdtemp(prefix="credstack-bench-"))
    os.environ.setdefault("CREDSTACK_LOG_LEVEL", "WARNING")
    os.environ["CREDSTACK_TASK_BACKEND"] = "django_tasks.backends.immediate.ImmediateBackend"
    os.environ["CREDSTACK_EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    os.environ["DJANGO_SETTINGS_MODULE"] = "credstack.config.settings"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from credstack.achievements.actions import create_achievement
    from credstack.courses import actions as courses
    from credstack.credentials.actions import issue_credential
    from credstack.learning import actions as learning
    from credstack.learning.queries import course_analytics
    from credstack.organizations.actions import create_organization
    from credstack.pathways.actions import create_pathway

    call_command("migrate", verbosity=0)
    org = create_organization(slug="bench", name="Benchmark Institute")

    def achievement(slug):
        return create_achievement(
            organization=org, slug=slug, name=slug.title(), description="d", criteria_narrative="c"
        )

    course = courses.create_course(
        organization=org, slug="c", title="Course", achievement=achievement("course"), review_days=[7, 30]
    )
    for n in range(5):
        lesson = courses.add_lesson(course, title=f"L{n}", body="**text** " * 200)
        for q in range(4):
            courses.add_question(
                lesson,
                kind="single",
                prompt=f"Q{q}",
                choices=[{"key": "r", "text": "right", "correct": True}, {"key": "w", "text": "wrong"}],
            )
    courses.publish_course(course)

    submit_ms, learner_ms = [], []
    for i in range(args.learners):
        start = time.perf_counter()
        enrolment = learning.enrol(course, learning.learner_for(f"l{i}@example.org", f"Learner {i}"))
        for n, lesson in enumerate(enrolment.version.lessons):
            learning.mark_read(enrolment, lesson["key"])
            for answer in ["w", "r"] if n == 2 else ["r"]:
                attempt = learning.start_attempt(enrolment, lesson["key"])
                t = time.perf_counter()
                learning.submit_attempt(attempt, {q["key"]: answer for q in lesson["quiz"]["questions"]})
                submit_ms.append((time.perf_counter() - t) * 1000)
        learner_ms.append((time.perf_counter() - start) * 1000)
    t = time.perf_counter()
    course_analytics(course)
    analytics_ms = (time.perf_counter() - t) * 1000

    plain, component = achievement("plain"), achievement("unit")
    create_pathway(achievement=achievement("stack"), components=[component, achievement("unit-2")])
    for label, target in (("no pathway", plain), ("pathway component", component)):
        times = []
        for i in range(100):
            t = time.perf_counter()
            issue_credential(
                achievement=target, recipient_name="N", recipient_email=f"{label[0]}{i}@example.org"
            )
            times.append((time.perf_counter() - t) * 1000)
        print(f"issue one credential ({label}): median {statistics.median(times):.2f} ms")

    print(f"database: {connection.vendor}")
    print(
        f"{args.learners} learners x 5 lessons (6 quiz submissions each, one failed), completion + award: "
        f"median {statistics.median(learner_ms):.1f} ms per learner ({1000 / statistics.median(learner_ms):.0f}/s)"
    )
    print(
        f"quiz submission (4 questions; the last one completes and issues): median {statistics.median(submit_ms):.2f} ms, "
        f"p95 {sorted(submit_ms)[int(len(submit_ms) * 0.95)]:.2f} ms"
    )
    print(f"course analytics over {args.learners} learners: {analytics_ms:.0f} ms")


if __name__ == "__main__":
    main()
