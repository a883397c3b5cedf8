"""Merging two learners' course progress when their portal accounts merge (decision 0023).

Written against model classes passed in, so the data migration (0004) runs the same rule on its historical
models: use only fields and managers, no model methods, and import no models here.
"""

from __future__ import annotations

import uuid


def _done(enrolment, LessonProgress) -> tuple[int, int]:
    """How far an enrolment got: (completed, lessons whose quiz is passed)."""
    passed = LessonProgress.objects.filter(enrolment_id=enrolment.pk, passed_at__isnull=False).count()
    return (1 if enrolment.status == "completed" else 0, passed)


def merge_learners(source, target, *, Learner, Enrolment, LessonProgress, ReviewItem, now) -> None:
    """Move ``source``'s enrolments to ``target``. Where both are enrolled in the same course, the enrolment
    with more completed lessons stays with ``target`` (``target``'s on a tie) and the other stays on
    ``source``, detached: kept for audit, never nudged. ``source`` then points at ``target`` and loses its
    account. Call inside a transaction."""
    if source.pk == target.pk:
        return
    detached = []
    for theirs in list(Enrolment.objects.filter(learner_id=source.pk).order_by("pk")):
        ours = Enrolment.objects.filter(learner_id=target.pk, course_id=theirs.course_id).first()
        if ours is None:
            Enrolment.objects.filter(pk=theirs.pk).update(learner_id=target.pk)
            continue
        if _done(theirs, LessonProgress) > _done(ours, LessonProgress):
            # swap through a placeholder learner: (course, learner) is unique at every step
            placeholder = Learner.objects.create(email=f"merging-{uuid.uuid4().hex}@merge.invalid")
            Enrolment.objects.filter(pk=ours.pk).update(learner_id=placeholder.pk)
            Enrolment.objects.filter(pk=theirs.pk).update(learner_id=target.pk)
            Enrolment.objects.filter(pk=ours.pk).update(learner_id=source.pk)
            placeholder.delete()
            detached.append(ours.pk)
        else:
            detached.append(theirs.pk)
    if detached:  # no review emails about progress the learner no longer sees
        ReviewItem.objects.filter(
            enrolment_id__in=detached, answered_at__isnull=True, nudged_at__isnull=True
        ).update(nudged_at=now)
    if source.name and not target.name:
        Learner.objects.filter(pk=target.pk).update(name=source.name)
        target.name = source.name
    Learner.objects.filter(merged_into_id=source.pk).update(merged_into_id=target.pk)
    Learner.objects.filter(pk=source.pk).update(account_id=None, merged_into_id=target.pk)
    source.account_id, source.merged_into_id = None, target.pk
