"""Every write to a course; import the names from here (``credstack.courses.actions``):

- ``editing``: the draft: the course, its lessons and questions, attachments;
- ``publishing``: the checks before publishing, publishing a version, closing and reopening.
"""

from .editing import (
    ATTACHMENT_TYPES,
    MAX_ATTACHMENT_BYTES,
    add_attachment,
    add_lesson,
    add_question,
    create_course,
    delete_lesson,
    delete_question,
    move_lesson,
    update_course,
    update_lesson,
    update_question,
)
from .publishing import (
    close_course,
    lesson_count_warning,
    publish_course,
    publish_problems,
    reopen_course,
    snapshot,
)

__all__ = [
    "ATTACHMENT_TYPES",
    "MAX_ATTACHMENT_BYTES",
    "add_attachment",
    "add_lesson",
    "add_question",
    "close_course",
    "create_course",
    "delete_lesson",
    "delete_question",
    "lesson_count_warning",
    "move_lesson",
    "publish_course",
    "publish_problems",
    "reopen_course",
    "snapshot",
    "update_course",
    "update_lesson",
    "update_question",
]
