"""Every write about learning: enrolment, invitations, reading, quiz attempts, completion, reviews.

Reads are in ``queries.py``, the reminder links' tokens in ``tokens.py``, the emails in ``emails.py``,
reading an invitation list in ``invitations.py``.

One module per concern; import the names from here (``credstack.learning.actions``):

- ``learners``: the course profile of an address or an account, profiles gathered, erasure;
- ``enrolment``: ``enrol``, ``invite`` and the ``send_invitation`` task;
- ``player``: a lesson opened, read, kept open (time counted); ``QuestionResult``;
- ``quiz``: attempts started, submitted and graded, reset by an educator;
- ``completion``: a course completed (its credential awarded), taken again to renew it;
- ``review``: missed questions answered again, the reminder emails and their task.
"""

from ..queries import LearningError  # what the actions raise; named here as before the split
from .completion import complete_if_done, retake
from .enrolment import INVITATION, enrol, invitation_effect, invite, send_invitation
from .learners import (
    consolidate,
    erase_for_account,
    follow_removed_address,
    learner_for,
    learner_for_account,
    set_name,
)
from .player import IDLE_CAP, QuestionResult, mark_read, open_lesson, ping, record_activity
from .quiz import QUIZ_SUBMITTED, quiz_effect, reset_attempts, start_attempt, submit_attempt
from .review import (
    REVIEW_NUDGE,
    answer_review,
    review_nudge_effect,
    send_review_nudges,
    send_review_nudges_task,
    set_review_emails,
)

__all__ = [
    "IDLE_CAP",
    "INVITATION",
    "QUIZ_SUBMITTED",
    "REVIEW_NUDGE",
    "LearningError",
    "QuestionResult",
    "answer_review",
    "complete_if_done",
    "consolidate",
    "enrol",
    "erase_for_account",
    "follow_removed_address",
    "invitation_effect",
    "invite",
    "learner_for",
    "learner_for_account",
    "mark_read",
    "open_lesson",
    "ping",
    "quiz_effect",
    "record_activity",
    "reset_attempts",
    "retake",
    "review_nudge_effect",
    "send_invitation",
    "send_review_nudges",
    "send_review_nudges_task",
    "set_name",
    "set_review_emails",
    "start_attempt",
    "submit_attempt",
]
