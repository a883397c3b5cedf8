"""Demo content for courses and pathways: a published five-lesson course for ``python-basics`` and a
pathway (Python Basics + Data Literacy Essentials -> Python for Data Work). Idempotent."""

from __future__ import annotations

from typing import Any

from django.conf import settings

from credstack.achievements.actions import create_achievement
from credstack.achievements.models import Achievement
from credstack.pathways import actions as pathway_actions
from credstack.pathways.models import Pathway

from . import actions
from .models import Course

# (title, Markdown body, the quiz's questions as add_question takes them)
LESSONS: list[tuple[str, str, list[dict[str, Any]]]] = [
    (
        "Values and variables",
        "Python programs work with **values**: numbers, text, truth.\n\n"
        '```python\nname = "Ada"\nyear = 1843\nprint(name, year)\n```\n\n'
        "A *variable* is a name for a value. `=` gives a name to a value; it does not mean *equals*.\n\n"
        "> Tip: run every example yourself. Typing beats reading.",
        [
            {
                "kind": "single",
                "prompt": "What does `x = 5` do?",
                "choices": [
                    {"text": "Gives the name x to the value 5", "correct": True},
                    {"text": "Checks whether x equals 5"},
                    {"text": "Prints 5"},
                ],
                "feedback_correct": "Right: = binds a name.",
                "feedback_incorrect": "= binds a name; == compares.",
            },
            {
                "kind": "truefalse",
                "prompt": '`"3" + "4"` is `"34"` in Python.',
                "answers": ["true"],
                "feedback_incorrect": "Adding two strings joins them.",
            },
        ],
    ),
    (
        "Functions",
        'A **function** packages steps under a name.\n\n```python\ndef greet(name):\n    return f"Hello, {name}!"\n```\n\n'
        'Call it with `greet("Grace")`. `return` hands a value back to the caller.',
        [
            {
                "kind": "text",
                "prompt": "Which keyword starts a function definition?",
                "answers": ["def"],
                "feedback_incorrect": "Functions start with def.",
            },
            {
                "kind": "single",
                "prompt": "What does `return` do?",
                "choices": [
                    {"text": "Hands a value back to the caller", "correct": True},
                    {"text": "Prints a value"},
                    {"text": "Restarts the function"},
                ],
            },
        ],
    ),
    (
        "Collections",
        "Lists keep things in order; dictionaries look things up by key.\n\n"
        '```python\nscores = [90, 75, 88]\nages = {"Ada": 36, "Alan": 41}\n```\n\n'
        '| type | example | use |\n|---|---|---|\n| list | `[1, 2]` | order |\n| dict | `{"a": 1}` | lookup |',
        [
            {
                "kind": "multiple",
                "prompt": "Which of these are Python collections?",
                "choices": [
                    {"text": "list", "correct": True},
                    {"text": "dict", "correct": True},
                    {"text": "print"},
                    {"text": "tuple", "correct": True},
                ],
                "feedback_incorrect": "list, dict and tuple are collections; print is a function.",
            },
            {
                "kind": "text",
                "prompt": "Write the expression for the first item of a list called `scores`.",
                "answers": [r"scores\s*\[\s*0\s*\]"],
                "match": "pattern",
                "feedback_incorrect": "Lists count from zero: scores[0].",
            },
        ],
    ),
    (
        "Errors",
        "Errors are messages, not failures. Read the **last line** of a traceback first.\n\n"
        '```python\ntry:\n    int("forty")\nexcept ValueError:\n    print("not a number")\n```',
        [
            {
                "kind": "single",
                "prompt": "Which line of a traceback do you read first?",
                "choices": [{"text": "The last", "correct": True}, {"text": "The first"}, {"text": "None"}],
            },
            {
                "kind": "truefalse",
                "prompt": "`except` runs only when the `try` block raised a matching error.",
                "answers": ["true"],
            },
        ],
    ),
    (
        "Tests",
        'A **test** is code that checks other code.\n\n```python\ndef test_greet():\n    assert greet("Ada") == "Hello, Ada!"\n```\n\n'
        "Run tests often: they tell you at once when something breaks.",
        [
            {
                "kind": "single",
                "prompt": "What does `assert` do when its condition is false?",
                "choices": [
                    {"text": "Raises an AssertionError", "correct": True},
                    {"text": "Nothing"},
                    {"text": "Returns False"},
                ],
            },
            {
                "kind": "text",
                "prompt": "Name the most widely used Python test runner.",
                "answers": ["pytest", "py.test"],
            },
        ],
    ),
]


def seed(org, achievements: dict[str, Achievement]) -> list[str]:
    """Create the demo course and pathway if missing; returns lines for the demo's summary."""
    course = Course.objects.filter(organization=org, slug="python-basics").first()
    if course is None:
        course = actions.create_course(
            organization=org,
            slug="python-basics",
            title="Python Basics in Five Lessons",
            summary="Five short lessons, a quiz after each. Finish them and your Python Basics credential "
            "arrives by itself.",
            achievement=achievements["python-basics"],
            estimated_hours=2,
            review_days=[7, 30],
            min_average_score=80,
        )
        for title, body, questions in LESSONS:
            lesson = actions.add_lesson(course, title=title, body=body, estimated_minutes=20, max_attempts=3)
            for spec in questions:
                actions.add_question(lesson, **spec)
        actions.publish_course(course)

    stack = Achievement.objects.filter(
        organization=org, slug="python-for-data"
    ).first() or create_achievement(
        organization=org,
        slug="python-for-data",
        name="Python for Data Work",
        achievement_type="Certificate",
        description="Python programming and data literacy, stacked.",
        criteria_narrative="Hold both Python Basics and Data Literacy Essentials.",
    )
    if not Pathway.objects.filter(achievement=stack).exists():
        pathway_actions.create_pathway(
            achievement=stack,
            components=[achievements["python-basics"], achievements["data-literacy"]],
            ordered=False,
            revocation_policy="suspend",
        )
    base = settings.CREDSTACK_BASE_URL
    return [
        f"  Course: {base}/learn/{org.slug}/{course.slug}  (editor: {base}/w/{org.slug}/courses/)",
        f"  Pathway: {stack.name} = Python Basics + Data Literacy Essentials ({base}/w/{org.slug}/pathways/)",
    ]
