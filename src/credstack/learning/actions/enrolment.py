"""Enrolment: a learner enrolled on a course, learners invited by an educator (the invitation email is
an outbox effect, sent by the ``send_invitation`` task)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django_tasks import task

from credstack import taskqueues
from credstack.courses.models import Course
from credstack.organizations import audit
from credstack.organizations.actors import Actor, as_actor
from credstack.outbox import actions as outbox

from .. import emails
from ..invitations import parse_invitations
from ..models import Enrolment, Learner
from ..queries import LearningError
from .learners import learner_for

INVITATION = "learning.invitation"


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


def invitation_effect(payload: dict, key: str) -> None:
    """Outbox consumer of ``learning.invitation``: the email task, queued in the consumer's transaction
    (a duplicate invitation is possible only as decision 0031 says, and harmless)."""
    send_invitation.enqueue(payload["enrolment"], payload["to"])


# run later (see "Tasks" in docs/architecture.md)


@task(queue_name=taskqueues.EMAIL)
def send_invitation(enrolment_id: int, to: str | None = None) -> str:
    """The invitation email of ``invite``, sent after commit."""
    enrolment = Enrolment.objects.select_related("course__organization", "learner").get(pk=enrolment_id)
    emails.invitation(enrolment, to or enrolment.learner.email).send()
    return "sent"
