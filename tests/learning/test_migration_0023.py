"""The data migration of decision 0023 (learning 0004), run forward on data made before it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from tests.courses.factory import make_course

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("learning", "0003_learner_account"), ("portal", "0002_accountemail_verified_by")]
AFTER = [("learning", "0004_link_learners_to_accounts")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def before(org, achievement):
    course = make_course(org, achievement, lessons=3)
    second = make_course(org, achievement, slug="sql-101", lessons=2)
    keys = {c.pk: [lesson["key"] for lesson in c.latest_version.lessons] for c in (course, second)}
    apps = _migrate(BEFORE)
    yield apps, course.pk, second.pk, keys
    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())  # the other tests' schema


def test_learners_are_linked_to_accounts(before):
    apps, course_pk, second_pk, keys = before
    Learner = apps.get_model("learning", "Learner")
    LoginCode = apps.get_model("learning", "LoginCode")
    Enrolment = apps.get_model("learning", "Enrolment")
    LessonProgress = apps.get_model("learning", "LessonProgress")
    Account = apps.get_model("portal", "Account")
    AccountEmail = apps.get_model("portal", "AccountEmail")
    CourseVersion = apps.get_model("courses", "CourseVersion")
    Course = apps.get_model("courses", "Course")
    course, second = Course.objects.get(pk=course_pk), Course.objects.get(pk=second_pk)
    version = CourseVersion.objects.get(course=course)
    version2 = CourseVersion.objects.get(course=second)
    now = timezone.now()
    day = timedelta(days=1)

    def enrol(learner, c=course, v=version, source="self", started=None, passed=0):
        e = Enrolment.objects.create(
            organization_id=c.organization_id,
            course=c,
            version=v,
            learner=learner,
            source=source,
            started_at=started,
            public_id=f"e{learner.pk}{c.pk}{source}",
        )
        for n, key in enumerate(keys[c.pk][:passed]):
            LessonProgress.objects.create(enrolment=e, lesson_key=key, position=n, read_at=now, passed_at=now)
        return e

    # 1. a learner whose address already has a portal account (different case in the account's address)
    existing = Account.objects.create(public_id="acct-existing")
    AccountEmail.objects.create(
        account=existing, email="Ada@Example.org", normalized="ada@example.org", verified_at=now - 9 * day
    )
    ada = Learner.objects.create(email="ada@example.org", name="Ada")
    enrol(ada, started=now)
    # 2. a learner without an account who signed in with a code
    code_used = now - 5 * day
    bo = Learner.objects.create(email="bo@example.org", name="Bo")
    LoginCode.objects.create(email="bo@example.org", code_hash="x", expires_at=code_used, used_at=code_used)
    enrol(bo, started=now - 4 * day)
    # 3. two learners whose addresses belong to one (merged) account: the further one's progress wins
    merged = Account.objects.create(public_id="acct-merged")
    AccountEmail.objects.create(
        account=merged, email="cy@home.example", normalized="cy@home.example", verified_at=now - 3 * day
    )
    AccountEmail.objects.create(
        account=merged, email="cy@work.example", normalized="cy@work.example", verified_at=now - 2 * day
    )
    cy_home = Learner.objects.create(email="cy@home.example", name="")
    home_python = enrol(cy_home, started=now, passed=1)
    cy_work = Learner.objects.create(email="cy@work.example", name="Cy")
    work_python = enrol(cy_work, started=now, passed=2)
    work_sql = enrol(cy_work, c=second, v=version2, started=now)
    # 4. a learner only ever launched from an LMS
    lin = Learner.objects.create(email="lin@school.example", name="Lin")
    lti_enrolment = enrol(lin, source="lti", started=now - day)
    # 5. the same address twice, differing in case, and no account
    dee = Learner.objects.create(email="dee@example.org", name="Dee")
    dee_upper = Learner.objects.create(email="DEE@Example.org", name="")
    LoginCode.objects.create(email="dee@example.org", code_hash="x", expires_at=now, used_at=now - 6 * day)
    enrol(dee, started=now)
    enrol(dee_upper, c=second, v=version2, started=now)
    # 6. invited, never came: no account until the first sign-in
    eve = Learner.objects.create(email="eve@example.org")
    enrol(eve, source="invitation")

    apps = _migrate(AFTER)
    Learner = apps.get_model("learning", "Learner")
    Enrolment = apps.get_model("learning", "Enrolment")
    AccountEmail = apps.get_model("portal", "AccountEmail")

    def learner(email):
        return Learner.objects.get(email=email)

    assert learner("ada@example.org").account_id == existing.pk
    assert AccountEmail.objects.filter(account_id=existing.pk).count() == 1

    bo_address = AccountEmail.objects.get(normalized="bo@example.org")
    assert learner("bo@example.org").account_id == bo_address.account_id
    assert bo_address.verified_by == "code" and bo_address.verified_at == code_used

    holder = learner("cy@home.example")  # the first learner of the account holds it
    assert holder.account_id == merged.pk and holder.name == "Cy"
    assert set(Enrolment.objects.filter(learner=holder).values_list("pk", flat=True)) == {
        work_python.pk,
        work_sql.pk,
    }
    detached = learner("cy@work.example")
    assert detached.account_id is None and detached.merged_into_id == holder.pk
    assert list(Enrolment.objects.filter(learner=detached).values_list("pk", flat=True)) == [home_python.pk]

    lin_address = AccountEmail.objects.get(normalized="lin@school.example")
    assert lin_address.verified_by == "lti" and lin_address.verified_at == lti_enrolment.enrolled_at
    assert learner("lin@school.example").account_id == lin_address.account_id

    dee_address = AccountEmail.objects.get(normalized="dee@example.org")
    dee_holder = learner("dee@example.org")
    assert dee_holder.account_id == dee_address.account_id and dee_address.email == "dee@example.org"
    assert Enrolment.objects.filter(learner=dee_holder).count() == 2
    assert learner("DEE@Example.org").merged_into_id == dee_holder.pk

    assert learner("eve@example.org").account_id is None
    assert not AccountEmail.objects.filter(normalized="eve@example.org").exists()

    # idempotent: running it again changes nothing
    snapshot = sorted(Learner.objects.values_list("pk", "account_id", "merged_into_id"))
    accounts = AccountEmail.objects.count()
    _migrate([("learning", "0003_learner_account")])
    _migrate(AFTER)
    assert sorted(Learner.objects.values_list("pk", "account_id", "merged_into_id")) == snapshot
    assert AccountEmail.objects.count() == accounts
