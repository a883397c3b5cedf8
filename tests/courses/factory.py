"""Build courses for tests through the same actions the editor uses."""

from __future__ import annotations

from credstack.courses import actions


def make_course(org, achievement, *, lessons=5, slug="python-101", publish=True, questions=None, **fields):
    course = actions.create_course(
        organization=org,
        slug=slug,
        title=fields.pop("title", "Python in Five Lessons"),
        summary="Learn Python step by step.",
        achievement=achievement,
        review_days=fields.pop("review_days", [7, 30]),
        **fields,
    )
    for n in range(1, lessons + 1):
        lesson = actions.add_lesson(
            course, title=f"Lesson {n}", body=f"# Lesson {n}\n\nPython is **fun** ({n})."
        )
        for spec in questions or [
            {
                "kind": "single",
                "prompt": f"What is {n} + {n}?",
                "choices": [
                    {"key": "right", "text": str(2 * n), "correct": True},
                    {"key": "wrong", "text": str(2 * n + 1)},
                ],
                "feedback_correct": "Yes.",
                "feedback_incorrect": f"{n} + {n} is {2 * n}.",
            }
        ]:
            actions.add_question(lesson, **spec)
    if publish:
        actions.publish_course(course)
    return course
