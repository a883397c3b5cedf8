"""Signed tokens in learner links: the one-click "stop review reminders" link (no sign-in needed)."""

from __future__ import annotations

from django.core import signing

from .models import Enrolment

REMINDERS_SALT = "credstack.learning.review-reminders"


def reminders_token(enrolment: Enrolment) -> str:
    """A permanent, unguessable token that stops this enrolment's review reminders (no sign-in needed)."""
    return signing.dumps(enrolment.public_id, salt=REMINDERS_SALT, compress=False)


def enrolment_for_reminders_token(token: str) -> Enrolment | None:
    try:
        public_id = signing.loads(token, salt=REMINDERS_SALT)
    except signing.BadSignature:
        return None
    return (
        Enrolment.objects.select_related("course__organization", "learner")
        .filter(public_id=public_id)
        .first()
    )
