"""The learner's side: public course page, sign-in by code, the lesson player, quizzes, completion, review.

One module per page or feature; the URLs name the views from here (``credstack.learning.views``):

- ``signin``: sign-in by code, sign-out, the learner's own page;
- ``course``: the public course page and enrolment;
- ``lessons``: the lesson player, quizzes, completion, a course taken again;
- ``review``: missed questions answered again, reminder emails on and off;
- ``files``: a course's cover and its lessons' attachments;
- ``common``: the course of the URL, the ``player`` decorator, a course's outline.
"""

from .course import course_page, enrol
from .files import attachment, cover
from .lessons import complete, lesson, lesson_ping, lesson_read, quiz, retake
from .review import reminders, reminders_off, review
from .signin import login, logout, mine

__all__ = [
    "attachment",
    "complete",
    "course_page",
    "cover",
    "enrol",
    "lesson",
    "lesson_ping",
    "lesson_read",
    "login",
    "logout",
    "mine",
    "quiz",
    "reminders",
    "reminders_off",
    "retake",
    "review",
]
