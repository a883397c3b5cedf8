"""Decision 0023, step 1: link every learner to the portal account holding its address.

- An address already in an account (``AccountEmail.normalized``, compared lower-cased): link to it. When that
  account already has a learner (two learners whose addresses merged into one account, or two learners whose
  addresses differ only in case), the second one's progress merges into the first (``merging.py``).
- No account yet: create one with the address, if the learner proved it: with a code (``verified_at`` = its
  first used code, or the start of its first course when the codes have expired away) or by an LMS launch
  (``verified_by="lti"``). Learners who never signed in (invited, never came) stay without an account; they
  join one at their first sign-in.

Idempotent (learners already linked are skipped); on PostgreSQL each address is handled under an advisory
lock, so two runs (or a run and a sign-in creating the same account) do not race.
"""

from django.db import IntegrityError, migrations, transaction
from django.db.models.functions import Lower
from django.utils import timezone

from credstack.learning.merging import merge_learners


def _proof(learner, LoginCode, Enrolment):
    """How the learner proved its address, and when: (verified_by, verified_at) or None."""
    used = (
        LoginCode.objects.annotate(email_l=Lower("email"))
        .filter(email_l=learner.email.lower(), used_at__isnull=False)
        .order_by("used_at")
        .values_list("used_at", flat=True)
        .first()
    )
    if used:
        return "code", used
    enrolments = Enrolment.objects.filter(learner_id=learner.pk)
    lti = enrolments.filter(source="lti").order_by("enrolled_at").first()
    if lti is not None:
        return "lti", lti.enrolled_at
    started = enrolments.filter(started_at__isnull=False).order_by("started_at").first()
    if started is not None:  # only a signed-in learner starts a course; the code row is gone
        return "code", started.started_at
    if enrolments.filter(source="self").exists():
        return "code", learner.created_at
    return None


def _lock(schema_editor, normalized):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", ["credstack-learner:" + normalized])


def link(apps, schema_editor):
    Learner = apps.get_model("learning", "Learner")
    LoginCode = apps.get_model("learning", "LoginCode")
    Enrolment = apps.get_model("learning", "Enrolment")
    LessonProgress = apps.get_model("learning", "LessonProgress")
    ReviewItem = apps.get_model("learning", "ReviewItem")
    Account = apps.get_model("portal", "Account")
    AccountEmail = apps.get_model("portal", "AccountEmail")
    now = timezone.now()
    pending = Learner.objects.filter(account__isnull=True, merged_into__isnull=True).order_by("pk")
    for pk in list(pending.values_list("pk", flat=True)):
        with transaction.atomic():
            learner = Learner.objects.select_for_update().get(pk=pk)
            if learner.account_id or learner.merged_into_id:
                continue
            normalized = learner.email.strip().lower()
            _lock(schema_editor, normalized)
            address = AccountEmail.objects.filter(normalized=normalized).first()
            if address is None:
                proof = _proof(learner, LoginCode, Enrolment)
                if proof is None:
                    continue
                account = Account.objects.create()
                Account.objects.filter(pk=account.pk).update(created_at=proof[1])
                try:
                    with transaction.atomic():
                        address = AccountEmail.objects.create(
                            account=account,
                            email=learner.email,
                            normalized=normalized,
                            verified_by=proof[0],
                            verified_at=proof[1],
                        )
                except IntegrityError:  # created meanwhile by a sign-in
                    account.delete()
                    address = AccountEmail.objects.get(normalized=normalized)
            holder = Learner.objects.select_for_update().filter(account_id=address.account_id).first()
            if holder is None:
                Learner.objects.filter(pk=learner.pk).update(account_id=address.account_id)
            else:
                merge_learners(
                    learner,
                    holder,
                    Learner=Learner,
                    Enrolment=Enrolment,
                    LessonProgress=LessonProgress,
                    ReviewItem=ReviewItem,
                    now=now,
                )


class Migration(migrations.Migration):
    dependencies = [
        ("learning", "0003_learner_account"),
        ("portal", "0002_accountemail_verified_by"),
    ]

    operations = [migrations.RunPython(link, migrations.RunPython.noop)]
