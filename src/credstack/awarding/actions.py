"""The one rules engine that decides when a credential is issued automatically.

Entry points (see docs/decisions/0006-awarding-engine.md):

- ``handle_event(...)``: an event happened for a learner (a course was completed, an integration's
  webhook arrived). Records which requirements it fulfils and awards every achievement whose
  requirements are now all met. Returns an ``Outcome``.
- ``evaluate(achievement, email)``: are all of the achievement's requirements met by this learner?
- ``award(...)``: issue the achievement's credential through the pipeline, exactly once per
  (achievement, learner). Pathways use it too.

Exactly once: the pipeline's ``idempotency_key`` (unique per organization) is derived from the
achievement and the learner's email, and ``Progress`` / ``Fulfillment`` rows are unique, so repeated or
simultaneous events give one credential.
"""

from __future__ import annotations

import hashlib
import logging
import time
from dataclasses import dataclass, field
from datetime import datetime

from django.db import IntegrityError, OperationalError, transaction
from django.utils import timezone

from credstack.achievements.models import Achievement
from credstack.credentials.actions import (
    IssueRequest,
    current_of,
    issue_credential,
    renew_credential,
    renewable,
)
from credstack.credentials.models import Credential
from credstack.credentials.validation import clean_email
from credstack.organizations.models import Organization
from credstack.outbox import actions as outbox
from credstack.xapi.actions import record_earned

from .models import COURSE_COMPLETED, DataRule, Fulfillment, Progress, Requirement
from .paths import MISSING, as_number, lookup

# the effect of a learner earning a credential through their progress (payload ``{"credential": pk}``)
EARNED = "awarding.earned"

log = logging.getLogger(__name__)


@dataclass
class Outcome:
    """What ``handle_event`` did. ``status``: issued, already_issued, requirements_not_met,
    no_matching_requirement."""

    status: str
    credentials: list[Credential] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)

    @property
    def credential(self) -> Credential | None:
        return self.credentials[0] if self.credentials else None


# ---------------------------------------------------------------- rules


def rule_holds(rule: DataRule, data: dict) -> tuple[bool, str]:
    """(holds, reason when it does not)."""
    value = lookup(data, rule.data_path)
    op = rule.operator
    if op == DataRule.Operator.EXISTS:
        return value is not MISSING and value not in (None, ""), f"{rule.data_path} is missing"
    if value is MISSING:
        return False, f"{rule.data_path} is missing"
    if op in ("gte", "gt", "lte", "lt"):
        a, b = as_number(value), as_number(rule.value)
        if a is None or b is None:
            return False, f"{rule.data_path} is {value!r}, not a number"
        ok = {"gte": a >= b, "gt": a > b, "lte": a <= b, "lt": a < b}[op]
        return ok, f"{rule.data_path} is {value!r}; it must be {rule.get_operator_display()} {rule.value!r}"
    if op == DataRule.Operator.IN:
        options = rule.value if isinstance(rule.value, list) else [rule.value]
        ok = value in options or str(value).lower() in {str(o).lower() for o in options}
        return ok, f"{rule.data_path} is {value!r}; it must be one of {options!r}"
    same = value == rule.value or (
        isinstance(value, str) and isinstance(rule.value, str) and value.lower() == rule.value.lower()
    )
    if op == DataRule.Operator.NE:
        return not same, f"{rule.data_path} must not be {rule.value!r}"
    return same, f"{rule.data_path} is {value!r}; it must be {rule.value!r}"


def requirement_met(requirement: Requirement, data: dict) -> tuple[bool, list[str]]:
    reasons = [
        reason for rule in requirement.rules.all() for ok, reason in [rule_holds(rule, data)] if not ok
    ]
    return not reasons, reasons


def ensure_course_requirement(course) -> Requirement | None:
    """The course's completion requirement for its achievement: all lessons done, all quizzes passed,
    and the optional minimum average score. Kept in step when the course is published."""
    Requirement.objects.filter(course=course).exclude(achievement_id=course.achievement_id).delete()
    if course.achievement_id is None:
        return None
    requirement, _ = Requirement.objects.get_or_create(
        organization=course.organization,
        achievement=course.achievement,
        event_type=COURSE_COMPLETED,
        course=course,
        defaults={"description": f"Complete the course “{course.title}”"},
    )
    requirement.rules.all().delete()
    DataRule.objects.create(requirement=requirement, data_path="all_lessons_done", operator="eq", value=True)
    DataRule.objects.create(
        requirement=requirement, data_path="all_quizzes_passed", operator="eq", value=True
    )
    if course.min_average_score:
        DataRule.objects.create(
            requirement=requirement, data_path="average_score", operator="gte", value=course.min_average_score
        )
    return requirement


# ---------------------------------------------------------------- evaluation and awarding


def idempotency_key(achievement: Achievement, email: str) -> str:
    digest = hashlib.sha256(email.strip().lower().encode()).hexdigest()[:40]
    return f"award:{achievement.public_id}:{digest}"


def _progress(achievement: Achievement, email: str, name: str) -> Progress:
    try:
        with transaction.atomic():
            progress, _ = Progress.objects.get_or_create(
                achievement=achievement,
                email=email,
                defaults={"organization_id": achievement.organization_id, "name": name},
            )
    except IntegrityError:  # created by a simultaneous event
        progress = Progress.objects.get(achievement=achievement, email=email)
    return progress


def _fulfil(progress: Progress, requirement: Requirement | None, event_type: str, event_id: str, data: dict):
    lookup_fields = {"progress": progress}
    if requirement is None:
        lookup_fields.update(requirement=None, event_type=event_type)
    else:
        lookup_fields["requirement"] = requirement
    try:
        with transaction.atomic():
            Fulfillment.objects.get_or_create(
                **lookup_fields, defaults={"event_type": event_type, "event_id": event_id, "data": data}
            )
    except IntegrityError:
        pass  # fulfilled by a simultaneous event: the same outcome


def evaluate(achievement: Achievement, email: str) -> tuple[bool, list[str]]:
    """Are all of ``achievement``'s requirements fulfilled by ``email``? (met, what is missing)"""
    email = email.strip().lower()
    progress = Progress.objects.filter(achievement=achievement, email=email).first()
    done = set(progress.fulfillments.values_list("requirement_id", flat=True)) if progress else set()
    missing = [str(r) for r in achievement.requirements.all() if r.pk not in done]
    if not achievement.requirements.exists() and not done:
        missing.append("no requirement has been fulfilled")
    return not missing, missing


def _with_retry(fn, attempts: int = 8):
    """SQLite answers a write/write clash with 'database is locked' at once in some modes: try again."""
    for n in range(attempts):
        try:
            return fn()
        except OperationalError as exc:
            if (
                "locked" not in str(exc).lower()
                or n == attempts - 1
                or transaction.get_connection().in_atomic_block
            ):
                raise
            time.sleep(0.05 * (n + 1))
    raise AssertionError("unreachable")


def award(
    achievement: Achievement,
    *,
    recipient_email: str,
    recipient_name: str,
    result: list[dict] | None = None,
    evidence: list[dict] | None = None,
    activity_start: datetime | None = None,
    activity_end: datetime | None = None,
    source: str = "awarding",
) -> tuple[Credential, bool]:
    """Issue ``achievement`` to the learner through the pipeline, once. (credential, newly issued)"""
    email = clean_email(recipient_email, "recipient_email").lower()
    key = idempotency_key(achievement, email)
    existing = Credential.objects.filter(
        organization_id=achievement.organization_id, idempotency_key=key
    ).first()
    if existing is None:
        # issued another way (by hand, from a file) and due: a completion renews that one
        other = (
            Credential.objects.filter(
                achievement=achievement, recipient_email__iexact=email, replaced_by__isnull=True
            )
            .order_by("-issued_at")
            .first()
        )
        if other is not None and renewable(other):
            existing = other
    if existing:
        # earned before: a new completion renews the credential when it is due (retaking the course,
        # the LMS or quiz tool reporting a new pass); otherwise the credential stands as it is
        held = current_of(existing)
        if not renewable(held):
            return held, False
        renewal = IssueRequest(
            achievement=achievement,
            recipient_name=recipient_name,
            recipient_email=email,
            result=result,
            evidence=evidence,
            activity_start=activity_start,
            activity_end=activity_end,
            source=source,
        )
        return _with_retry(lambda: renew_credential(held, renewal)), True

    def issue():
        return issue_credential(
            achievement=achievement,
            recipient_name=recipient_name,
            recipient_email=email,
            result=result,
            evidence=evidence,
            activity_start=activity_start,
            activity_end=activity_end,
            source=source,
            idempotency_key=key,
        )

    credential = _with_retry(issue)
    # Only the caller that links the credential to the learner's progress reports it as new, so the
    # side effects below happen once even when simultaneous events both reached the pipeline.
    progress = _progress(achievement, email, recipient_name)

    def link() -> int:
        with transaction.atomic():
            linked = Progress.objects.filter(pk=progress.pk, credential__isnull=True).update(
                credential=credential, completed_at=timezone.now()
            )
            if linked:  # the xAPI "earned" statement, an effect of this link (decision 0036)
                outbox.emit(EARNED, {"credential": credential.pk}, key=f"{EARNED}:{credential.public_id}")
            return linked

    newly = _with_retry(link) == 1
    return credential, newly


def earned_effect(payload: dict, key: str) -> None:
    """Outbox consumer of ``awarding.earned``: the xAPI statement (one per credential: its id is derived
    from the credential, so a second run finds it stored)."""
    record_earned(payload["credential"])


def handle_event(
    *,
    organization: Organization,
    event_type: str,
    recipient_email: str,
    recipient_name: str,
    data: dict | None = None,
    achievement: Achievement | None = None,
    course=None,
    event_id: str = "",
    activity_start: datetime | None = None,
    activity_end: datetime | None = None,
    result: list[dict] | None = None,
    evidence: list[dict] | None = None,
    source: str = "event",
) -> Outcome:
    """An event for a learner: fulfil the requirements it meets, award what is now complete.

    - ``event_type``: ``course.completed`` (with ``course``) or an integration's type (``webhook``,
      ``lti.completed``...).
    - ``achievement``: for integrations that already know what to award. When that achievement has no
      requirement for ``event_type``, the event itself is the requirement (the caller checked its
      condition).
    - ``data``: what rules look at (``average_score``, ``score``, ``status``...).
    - ``result``: OB 3.0 ``Result`` objects for the credential; by default built from ``data["score"]``
      or ``data["average_score"]``.
    """
    data = dict(data or {})
    email = clean_email(recipient_email, "recipient_email").lower()
    requirements = Requirement.objects.filter(
        organization=organization, event_type=event_type
    ).select_related("achievement")
    if course is not None:
        requirements = requirements.filter(course=course)
    if achievement is not None:
        requirements = requirements.filter(achievement=achievement)
    requirements = list(requirements.prefetch_related("rules"))

    targets: dict[int, Achievement] = {}
    implicit: set[int] = set()  # awarded on the caller's word: another route to the achievement
    reasons: list[str] = []
    for requirement in requirements:
        met, why = requirement_met(requirement, data)
        if not met:
            reasons.extend(why)
            continue
        progress = _with_retry(lambda r=requirement: _progress(r.achievement, email, recipient_name))
        _with_retry(lambda r=requirement, p=progress: _fulfil(p, r, event_type, event_id, data))
        targets[requirement.achievement_id] = requirement.achievement
    if achievement is not None and not requirements:
        if achievement.organization_id != organization.pk:
            raise ValueError("the achievement belongs to another organization")
        progress = _with_retry(lambda: _progress(achievement, email, recipient_name))
        _with_retry(lambda: _fulfil(progress, None, event_type, event_id, data))
        targets[achievement.pk] = achievement
        implicit.add(achievement.pk)
    if not targets:
        status = "requirements_not_met" if requirements else "no_matching_requirement"
        if not requirements:
            reasons.append(f"no requirement listens to {event_type!r} events")
        return Outcome(status, reasons=reasons)

    if result is None:
        score = data.get("score", data.get("average_score"))
        if as_number(score) is not None:
            result = [{"value": f"{as_number(score):g}"}]
    credentials, statuses = [], []
    for target in targets.values():
        met, missing = (True, []) if target.pk in implicit else evaluate(target, email)
        if not met:
            reasons.extend(missing)
            statuses.append("requirements_not_met")
            continue
        credential, newly = award(
            target,
            recipient_email=email,
            recipient_name=recipient_name,
            result=result,
            evidence=evidence,
            activity_start=activity_start,
            activity_end=activity_end,
            source=source,
        )
        credentials.append(credential)
        statuses.append("issued" if newly else "already_issued")
    # the best thing that happened: something new was issued > something was already held > nothing met
    status = next((st for st in ("issued", "already_issued") if st in statuses), "requirements_not_met")
    log.info("awarding: %s for %s -> %s", event_type, email, status)
    return Outcome(status, credentials=credentials, reasons=reasons)
