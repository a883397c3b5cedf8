"""Every write about learning: enrolment, invitations, reading, quiz attempts, completion, reviews.

Reads are in ``queries.py``, the reminder links' tokens in ``tokens.py``, the emails in ``emails.py``,
reading an invitation list in ``invitations.py``."""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from credstack import taskqueues
from credstack.awarding.actions import COURSE_COMPLETED, handle_event
from credstack.courses import content
from credstack.courses.models import Course
from credstack.credentials.actions import current_of, renewable
from credstack.credentials.validation import clean_email, clean_name
from credstack.organizations import audit
from credstack.organizations.actors import Actor, as_actor
from credstack.outbox import actions as outbox
from credstack.portal.models import AccountEmail
from credstack.xapi.actions import run_later

from . import emails
from .invitations import parse_invitations
from .merging import merge_learners
from .models import Enrolment, Learner, LessonProgress, QuestionResponse, QuizAttempt, ReviewItem
from .queries import LearningError, attempt_questions, attempts_left, lesson_index, unlocked
from .signals import ENROLMENT_COMPLETED
from .xapi_statements import record_completed, record_quiz

log = logging.getLogger(__name__)
_random = random.SystemRandom()

IDLE_CAP = timedelta(minutes=5)  # time between two actions counts as learning up to this much


# ---------------------------------------------------------------- learners and enrolment


def learner_for(email: str, name: str = "") -> Learner:
    """The learner for an address: the course profile of the portal account holding it, if one does
    (decision 0023), else one of its own (an invited learner who has not signed in yet)."""
    email = clean_email(email, "email").lower()
    name = clean_name(name, "name") if name and name.strip() else ""
    address = AccountEmail.objects.select_related("account").filter(normalized=email).first()
    if address is not None:
        learner = learner_for_account(address.account)
    else:
        try:
            with transaction.atomic():
                learner, _created = Learner.objects.get_or_create(email=email, defaults={"name": name})
        except IntegrityError:
            learner = Learner.objects.get(email=email)
    if name:
        set_name(learner, name)
    return learner


def set_name(learner: Learner, name: str) -> Learner:
    """Give the learner a name (as it will appear on credentials) if they have none yet."""
    name = clean_name(name, "name") if name and name.strip() else ""
    if name and not learner.name:
        Learner.objects.filter(pk=learner.pk).update(name=name)
        learner.name = name
    return learner


def learner_for_account(account) -> Learner:
    """The account's course profile: linked on first use. Learners kept under the account's addresses
    before it had them (invitations, an LMS launch) join it; with none, a new one takes the account's first
    address."""
    learner = Learner.objects.filter(account=account).first()
    if learner is not None:
        return learner
    consolidate(account)
    learner = Learner.objects.filter(account=account).first()
    if learner is not None:
        return learner
    for address in account.emails.values_list("normalized", flat=True):
        try:
            with transaction.atomic():
                return Learner.objects.create(email=address, account=account)
        except IntegrityError:  # created at the same time, or the address's old profile is linked elsewhere
            learner = Learner.objects.filter(account=account).first()
            if learner is not None:
                return learner
    raise LearningError(_("No course profile could be made for this account."))


def consolidate(account, source_account=None, moved_emails=()) -> Learner | None:
    """Gather the account's course progress into one learner: the learner of ``source_account`` (merged into
    ``account``, its addresses ``moved_emails``) and learners under the account's addresses that no account
    holds yet. The account's own learner stays the one; without one, the learner of its first own address.
    Returns the account's learner (``None`` when there is no progress to gather)."""
    with transaction.atomic():
        emails = list(account.emails.values_list("normalized", flat=True))
        pks = set(
            Learner.objects.annotate(email_l=Lower("email"))
            .filter(account__isnull=True, merged_into__isnull=True, email_l__in=emails)
            .values_list("pk", flat=True)
        )
        if source_account is not None:
            pks |= set(Learner.objects.filter(account=source_account).values_list("pk", flat=True))
        others = sorted(
            Learner.objects.select_for_update().filter(pk__in=pks),
            key=lambda o: (
                o.account_id == getattr(source_account, "pk", None) or o.email.lower() in moved_emails,
                emails.index(o.email.lower()) if o.email.lower() in emails else len(emails),
                o.pk,
            ),
        )
        target = Learner.objects.select_for_update().filter(account=account).first()
        if target is None and others:
            target = others.pop(0)
            Learner.objects.filter(pk=target.pk).update(account=account)
            target.account = account
        now = timezone.now()
        for other in others:
            merge_learners(
                other,
                target,
                Learner=Learner,
                Enrolment=Enrolment,
                LessonProgress=LessonProgress,
                ReviewItem=ReviewItem,
                now=now,
            )
    return target


def follow_removed_address(account, removed: str) -> Learner | None:
    """The holder removed ``removed`` from their account: if it was their course profile's address (where
    credentials of their courses go), take the account's first remaining address instead. A learner merged
    into this one that is kept under that address (for audit) swaps addresses with it."""
    with transaction.atomic():
        learner = Learner.objects.select_for_update().filter(account=account).first()
        if learner is None or learner.email.lower() != removed:
            return learner
        remaining = list(account.emails.order_by("pk").values_list("normalized", flat=True))
        if not remaining:
            return learner
        new = remaining[0]
        holder = (
            Learner.objects.select_for_update()
            .annotate(email_l=Lower("email"))
            .filter(email_l=new)
            .exclude(pk=learner.pk)
            .first()
        )
        if holder is not None and holder.merged_into_id != learner.pk:
            log.warning("learner %s: %s is held by another profile; address kept", learner.pk, new)
            return learner
        if holder is not None:  # the merged profile keeps the removed address instead (unique emails)
            Learner.objects.filter(pk=holder.pk).update(email=f"swap-{holder.pk}@invalid")
        Learner.objects.filter(pk=learner.pk).update(email=new)
        if holder is not None:
            Learner.objects.filter(pk=holder.pk).update(email=removed)
        learner.email = new
    return learner


def erase_for_account(account, normalized_emails: list[str]) -> int:
    """Delete the course progress of an account being erased (decision 0017/0023): its learner, the
    learners merged into it and those under its addresses. Issued credentials stay. Returns learners
    deleted."""
    ids = set(Learner.objects.filter(account=account).values_list("pk", flat=True))
    ids |= set(
        Learner.objects.annotate(email_l=Lower("email"))
        .filter(email_l__in=normalized_emails)
        .values_list("pk", flat=True)
    )
    frontier = set(ids)
    while frontier:
        frontier = set(Learner.objects.filter(merged_into__in=frontier).values_list("pk", flat=True)) - ids
        ids |= frontier
    deleted = Learner.objects.filter(pk__in=ids)
    count = deleted.count()
    deleted.delete()
    return count


def enrol(course: Course, learner: Learner, *, source: str = "self") -> Enrolment:
    """Enrol on the course's latest published version; enrolling again returns the same enrolment."""
    version = course.latest_version
    existing = Enrolment.objects.filter(course=course, learner=learner).first()
    if course.status == Course.Status.CLOSED and existing is None:
        raise LearningError(_("This course is closed to new learners."))
    if version is None or course.status == Course.Status.DRAFT:
        raise LearningError(_("This course is not open for enrolment yet."))
    if existing and existing.started_at is None and existing.version_id != version.pk:
        # not started yet (e.g. invited before a republish): take the latest version
        Enrolment.objects.filter(pk=existing.pk, started_at__isnull=True).update(version=version)
        existing.refresh_from_db()
    if existing:
        if existing.status == Enrolment.Status.INVITED and source == "self":
            Enrolment.objects.filter(pk=existing.pk).update(status=Enrolment.Status.ACTIVE)
            existing.status = Enrolment.Status.ACTIVE
        return existing
    try:
        with transaction.atomic():
            return Enrolment.objects.create(
                organization=course.organization,
                course=course,
                version=version,
                learner=learner,
                source=source,
                status=Enrolment.Status.INVITED if source == "invitation" else Enrolment.Status.ACTIVE,
            )
    except IntegrityError:
        return Enrolment.objects.get(course=course, learner=learner)


def invite(course: Course, text: str, *, actor: Actor | None = None) -> list[Enrolment]:
    """Invite one or many learners: each gets an enrolment and an email with the course link."""
    rows = parse_invitations(text)
    if course.status == Course.Status.CLOSED:
        raise ValidationError({"emails": [_("the course is closed to new learners: reopen it to invite")]})
    if course.latest_version is None or course.status != Course.Status.PUBLISHED:
        raise ValidationError({"emails": [_("publish the course before inviting learners")]})
    sent = []
    with transaction.atomic():
        for row in rows:
            enrolment = enrol(course, learner_for(row.email, row.name), source="invitation")
            sent.append((enrolment, row.email))
            # to the address the educator typed, even when it is the learner's second one (decision 0023);
            # an effect of this transaction, sent even if this process dies after the commit (0036)
            outbox.emit(INVITATION, {"enrolment": enrolment.pk, "to": row.email})
        audit.record(
            course.organization,
            as_actor(actor),
            "course.learners_invited",
            course.public_id,
            f"{len(rows)} learner{'s' if len(rows) != 1 else ''}",
        )
    return [enrolment for enrolment, _sent in sent]


INVITATION = "learning.invitation"
QUIZ_SUBMITTED = "learning.quiz_submitted"
REVIEW_NUDGE = "learning.review_nudge"


def invitation_effect(payload: dict, key: str) -> None:
    """Outbox consumer of ``learning.invitation``: the email task, queued in the consumer's transaction
    (a duplicate invitation is possible only as decision 0031 says, and harmless)."""
    send_invitation.enqueue(payload["enrolment"], payload["to"])


def quiz_effect(payload: dict, key: str) -> None:
    """Outbox consumer of ``learning.quiz_submitted``: the attempt's xAPI statement (stored once: its id
    comes from the attempt)."""
    record_quiz(payload["attempt"])


def review_nudge_effect(payload: dict, key: str) -> None:
    """Outbox consumer of ``learning.review_nudge``: the nudge task, run when the review is due."""
    run_later(send_review_nudges_task, datetime.fromisoformat(payload["when"]))


# ---------------------------------------------------------------- the player


def _activity(enrolment: Enrolment, progress: LessonProgress | None = None) -> None:
    now = timezone.now()
    spent = 0
    if enrolment.last_activity_at:
        spent = int(min(now - enrolment.last_activity_at, IDLE_CAP).total_seconds())
    updates = {"last_activity_at": now, "time_spent_seconds": F("time_spent_seconds") + spent}
    if enrolment.started_at is None:
        updates["started_at"] = now
        enrolment.started_at = now
    if enrolment.status == Enrolment.Status.INVITED:
        updates["status"] = Enrolment.Status.ACTIVE
        enrolment.status = Enrolment.Status.ACTIVE
    Enrolment.objects.filter(pk=enrolment.pk).update(**updates)
    enrolment.last_activity_at = now
    enrolment.time_spent_seconds += spent
    if progress is not None and spent:
        LessonProgress.objects.filter(pk=progress.pk).update(
            time_spent_seconds=F("time_spent_seconds") + spent
        )


def open_lesson(enrolment: Enrolment, lesson_key: str) -> LessonProgress:
    index = lesson_index(enrolment, lesson_key)
    if not unlocked(enrolment, lesson_key):
        raise LearningError(_("Pass the quiz of the previous lesson first."))
    try:
        with transaction.atomic():
            progress, _created = LessonProgress.objects.get_or_create(
                enrolment=enrolment, lesson_key=lesson_key, defaults={"position": index + 1}
            )
    except IntegrityError:
        progress = LessonProgress.objects.get(enrolment=enrolment, lesson_key=lesson_key)
    _activity(enrolment, progress)
    return progress


def ping(enrolment: Enrolment, lesson_key: str) -> None:
    """The lesson page is still open and visible (sent every minute): count the time."""
    progress = LessonProgress.objects.filter(enrolment=enrolment, lesson_key=lesson_key).first()
    if progress is not None:
        _activity(enrolment, progress)


def mark_read(enrolment: Enrolment, lesson_key: str) -> LessonProgress:
    progress = open_lesson(enrolment, lesson_key)
    if progress.read_at is None:
        LessonProgress.objects.filter(pk=progress.pk, read_at__isnull=True).update(read_at=timezone.now())
        progress.refresh_from_db()
    return progress


def reset_attempts(enrolment: Enrolment, lesson_key: str, *, actor: Actor | None = None) -> int:
    """An educator gives a learner who used every attempt at a quiz the full number again.

    Earlier attempts stay in the record (analytics, exports); the learner gets ``max_attempts`` more.
    Returns the attempts now left. Raises LearningError when there is nothing to reset.
    """
    lesson = enrolment.version.lessons[lesson_index(enrolment, lesson_key)]
    limit = lesson["quiz"]["max_attempts"]
    if not limit:
        raise LearningError(_("This quiz has no attempt limit: there is nothing to reset."))
    with transaction.atomic():
        progress = (
            LessonProgress.objects.select_for_update()
            .filter(enrolment=enrolment, lesson_key=lesson_key)
            .first()
        )
        if progress is None or progress.passed_at is not None:
            raise LearningError(_("Only a quiz the learner has tried and not yet passed can be reset."))
        used = enrolment.attempts.filter(lesson_key=lesson_key, submitted_at__isnull=False).count()
        progress.extra_attempts = used  # so that limit + extra - used == limit
        progress.save(update_fields=["extra_attempts"])
        audit.record(
            enrolment.organization,
            as_actor(actor),
            "course.attempts_reset",
            target=enrolment.learner.email,
            detail=f"{enrolment.course.title}, lesson {lesson_index(enrolment, lesson_key) + 1}",
        )
    return attempts_left(enrolment, lesson) or 0  # never None: the quiz has a limit (checked above)


def start_attempt(enrolment: Enrolment, lesson_key: str) -> QuizAttempt:
    """The open attempt on the lesson's quiz, or a new one with its questions drawn and shuffled."""
    lesson = enrolment.version.lessons[lesson_index(enrolment, lesson_key)]
    progress = LessonProgress.objects.filter(enrolment=enrolment, lesson_key=lesson_key).first()
    if progress is None or progress.read_at is None:
        raise LearningError(_("Read the lesson before taking its quiz."))
    if progress.passed_at is not None:
        raise LearningError(_("You have already passed this quiz."))
    open_attempt = enrolment.attempts.filter(lesson_key=lesson_key, submitted_at__isnull=True).first()
    if open_attempt:
        return open_attempt
    if attempts_left(enrolment, lesson) == 0:
        raise LearningError(
            _("You have used all %(count)s attempts at this quiz. Contact the course team to reset it.")
            % {"count": lesson["quiz"]["max_attempts"]}
        )
    quiz = lesson["quiz"]
    questions = list(quiz["questions"])
    if quiz.get("draw") and quiz["draw"] < len(questions):
        drawn = {q["key"] for q in _random.sample(questions, quiz["draw"])}
        questions = [q for q in questions if q["key"] in drawn]  # the bank's order unless shuffled
    if quiz.get("shuffle_questions"):
        _random.shuffle(questions)
    layout = []
    for q in questions:
        keys = [c["key"] for c in q.get("choices") or []]
        if quiz.get("shuffle_answers") and q["kind"] != "truefalse":
            _random.shuffle(keys)
        layout.append({"key": q["key"], "choices": keys})
    number = (enrolment.attempts.filter(lesson_key=lesson_key).count()) + 1
    try:
        with transaction.atomic():
            return QuizAttempt.objects.create(
                enrolment=enrolment, lesson_key=lesson_key, number=number, layout=layout
            )
    except IntegrityError:  # the same learner in two tabs
        return enrolment.attempts.get(lesson_key=lesson_key, number=number)


@dataclass
class QuestionResult:
    question: dict
    answer: object
    correct: bool
    feedback: str


def submit_attempt(attempt: QuizAttempt, answers: dict) -> list[QuestionResult]:
    """Grade an attempt: score, pass or fail, feedback per question; missed questions are scheduled
    for review; passing the last quiz completes the course (and awards its credential)."""
    enrolment = attempt.enrolment
    lesson = enrolment.version.lessons[lesson_index(enrolment, attempt.lesson_key)]
    results = []
    for question, _choices in attempt_questions(attempt):
        answer = answers.get(question["key"])
        if question["kind"] == "multiple":
            answer = [a for a in (answer if isinstance(answer, list) else [answer]) if a]
        elif isinstance(answer, list):
            answer = answer[0] if answer else None
        if isinstance(answer, str):
            answer = answer[: content.MAX_TEXT_ANSWER]
        correct = content.grade(question, answer)
        feedback = question["feedback_correct"] if correct else question["feedback_incorrect"]
        results.append(QuestionResult(question, answer, correct, feedback))
    score = round(100 * sum(r.correct for r in results) / len(results)) if results else 0
    passed = score >= lesson["quiz"]["pass_mark"]
    now = timezone.now()
    with transaction.atomic():
        updated = QuizAttempt.objects.filter(pk=attempt.pk, submitted_at__isnull=True).update(
            answers={r.question["key"]: r.answer for r in results},
            score=score,
            passed=passed,
            submitted_at=now,
        )
        if not updated:
            raise LearningError(_("This attempt has already been submitted."))
        QuestionResponse.objects.bulk_create(
            QuestionResponse(
                attempt=attempt,
                course_id=enrolment.course_id,
                question_key=r.question["key"],
                correct=r.correct,
            )
            for r in results
        )
        progress = LessonProgress.objects.select_for_update().get(
            enrolment=enrolment, lesson_key=attempt.lesson_key
        )
        progress.attempts += 1
        progress.best_score = max(progress.best_score or 0, score)
        if passed and progress.passed_at is None:
            progress.passed_at = now
        progress.save(update_fields=["attempts", "best_score", "passed_at"])
        days = enrolment.course.review_days or []
        for r in results:
            if not r.correct:
                for stage, after in enumerate(days):
                    ReviewItem.objects.get_or_create(
                        enrolment=enrolment,
                        question_key=r.question["key"],
                        stage=stage,
                        defaults={
                            "lesson_key": attempt.lesson_key,
                            "due_at": now + timedelta(days=int(after)),
                        },
                    )
        if days and not all(r.correct for r in results):
            for after in days:  # the worker sends the nudge when due (without one: cron `review_nudges`)
                when = now + timedelta(days=int(after), minutes=1)
                outbox.emit(REVIEW_NUDGE, {"when": when.isoformat()})
        # the xAPI statement of this attempt: an effect of this transaction, made even if this process
        # dies after the commit (decision 0036); one statement id per attempt however often it runs
        outbox.emit(QUIZ_SUBMITTED, {"attempt": attempt.pk}, key=f"{QUIZ_SUBMITTED}:{attempt.pk}")
    attempt.refresh_from_db()
    _activity(enrolment, progress)
    if passed:
        complete_if_done(enrolment)
    return results


def complete_if_done(enrolment: Enrolment) -> Enrolment:
    """When every lesson is read and every quiz passed: complete the enrolment and ask the rules
    engine for the course's credential."""
    keys = [lesson["key"] for lesson in enrolment.version.lessons]
    progress = {p.lesson_key: p for p in enrolment.lessons.all()}
    lessons_done = sum(1 for k in keys if k in progress and progress[k].read_at)
    quizzes_passed = sum(1 for k in keys if k in progress and progress[k].passed_at)
    if lessons_done < len(keys) or quizzes_passed < len(keys):
        return enrolment
    average = round(sum(progress[k].best_score or 0 for k in keys) / len(keys))
    now = timezone.now()
    # one transaction from "completed" to the award and its effects: a process that dies in between
    # leaves the enrolment as it was, and the next call completes it (decision 0036)
    with transaction.atomic():
        first = (
            Enrolment.objects.filter(pk=enrolment.pk)
            .exclude(status=Enrolment.Status.COMPLETED)
            .update(status=Enrolment.Status.COMPLETED, completed_at=now, average_score=average)
        )
        enrolment.refresh_from_db()
        if first:
            record_completed(enrolment.pk)
        _award_completion(enrolment, keys, lessons_done, average, first)
    enrolment.refresh_from_db()
    return enrolment


def _award_completion(enrolment: Enrolment, keys: list, lessons_done: int, average: int, first: int) -> None:
    course = enrolment.course
    learner = enrolment.learner
    outcome = handle_event(
        organization=enrolment.organization,
        event_type=COURSE_COMPLETED,
        course=course,
        recipient_email=learner.email,
        recipient_name=learner.name or learner.email.split("@")[0],
        event_id=f"enrolment:{enrolment.public_id}",
        data={
            "lessons_done": lessons_done,
            "lessons_total": len(keys),
            "all_lessons_done": True,
            "all_quizzes_passed": True,
            "average_score": average,
            "score": average,
        },
        activity_start=enrolment.started_at or enrolment.enrolled_at,
        activity_end=enrolment.completed_at,
        evidence=[
            {
                "id": course.url,
                "name": f"Completed “{course.title}”",
                "description": f"All {len(keys)} lessons and quizzes completed; average quiz score {average}%.",
            }
        ],
        source="course",
    )
    Enrolment.objects.filter(pk=enrolment.pk).update(
        credential=outcome.credential, award_status=outcome.status, award_reasons=outcome.reasons
    )
    if first:  # once per enrolment, after the award, so consumers see the credential (decision 0036)
        outbox.emit(
            ENROLMENT_COMPLETED,
            {"enrolment": enrolment.pk},
            key=f"{ENROLMENT_COMPLETED}:{enrolment.public_id}",
        )


def retake(enrolment: Enrolment) -> Enrolment:
    """The learner takes a course they completed again, to renew its credential once it is due
    (``credentials.actions.renewable``). Every lesson is to read and every quiz to pass again, on the
    course's latest version, with the quiz's full number of attempts; earlier attempts stay in the
    record. Completing it renews the credential (``awarding.award``)."""
    credential = current_of(enrolment.credential) if enrolment.credential is not None else None
    if enrolment.status != Enrolment.Status.COMPLETED or credential is None or not renewable(credential):
        raise LearningError(_("You can take this course again once your credential is due for renewal."))
    version = enrolment.course.latest_version or enrolment.version
    with transaction.atomic():
        used: dict[str, int] = {}
        for key in enrolment.attempts.filter(submitted_at__isnull=False).values_list("lesson_key", flat=True):
            used[key] = used.get(key, 0) + 1
        for progress in LessonProgress.objects.select_for_update().filter(enrolment=enrolment):
            progress.read_at = progress.passed_at = progress.best_score = None
            progress.extra_attempts = used.get(progress.lesson_key, 0)  # the limit counts afresh
            progress.save(update_fields=["read_at", "passed_at", "best_score", "extra_attempts"])
        Enrolment.objects.filter(pk=enrolment.pk, status=Enrolment.Status.COMPLETED).update(
            status=Enrolment.Status.ACTIVE,
            version=version,
            completed_at=None,
            average_score=None,
            award_status="",
            award_reasons=[],
        )
    enrolment.refresh_from_db()
    log.info("enrolment %s: taking the course again to renew %s", enrolment.public_id, credential.public_id)
    return enrolment


# ---------------------------------------------------------------- review


def answer_review(item: ReviewItem, answer) -> QuestionResult:
    lesson = item.enrolment.version.lessons[lesson_index(item.enrolment, item.lesson_key)]
    question = next(q for q in lesson["quiz"]["questions"] if q["key"] == item.question_key)
    if question["kind"] == "multiple":
        answer = [a for a in (answer if isinstance(answer, list) else [answer]) if a]
    elif isinstance(answer, list):
        answer = answer[0] if answer else None
    correct = content.grade(question, answer)
    with transaction.atomic():
        updated = ReviewItem.objects.filter(pk=item.pk, answered_at__isnull=True).update(
            answered_at=timezone.now(), correct=correct
        )
        if not updated:
            raise LearningError(_("This review question has already been answered."))
    _activity(item.enrolment)
    return QuestionResult(
        question, answer, correct, question["feedback_correct" if correct else "feedback_incorrect"]
    )


def set_review_emails(enrolment: Enrolment, on: bool) -> Enrolment:
    Enrolment.objects.filter(pk=enrolment.pk).update(review_emails=on)
    enrolment.review_emails = on
    return enrolment


def send_review_nudges(now=None) -> int:
    """Email each learner who has review questions due and has not been told yet (unless they stopped
    reminders for that course). Returns emails sent."""
    now = now or timezone.now()
    due = (
        ReviewItem.objects.filter(
            answered_at__isnull=True, nudged_at__isnull=True, due_at__lte=now, enrolment__review_emails=True
        )
        .select_related("enrolment__learner", "enrolment__course__organization")
        .order_by("enrolment_id")
    )
    by_enrolment: dict[int, list[ReviewItem]] = {}
    for item in due:
        by_enrolment.setdefault(item.enrolment_id, []).append(item)
    sent = 0
    for items in by_enrolment.values():
        emails.review_reminder(items[0].enrolment, len(items)).send()
        ReviewItem.objects.filter(pk__in=[i.pk for i in items]).update(nudged_at=now)
        sent += 1
    return sent


# ---------------------------------------------------------------- run later (see "Tasks" in docs/architecture.md)


@task(queue_name=taskqueues.EMAIL)
def send_invitation(enrolment_id: int, to: str | None = None) -> str:
    """The invitation email of ``invite``, sent after commit."""
    enrolment = Enrolment.objects.select_related("course__organization", "learner").get(pk=enrolment_id)
    emails.invitation(enrolment, to or enrolment.learner.email).send()
    return "sent"


@task(queue_name=taskqueues.EMAIL)
def send_review_nudges_task() -> int:
    """``send_review_nudges`` when a learner's review questions fall due (queued by ``submit_quiz``)."""
    return send_review_nudges()
