import pytest

from credstack.courses.models import Course
from credstack.demo import seed_demo
from credstack.pathways.models import Pathway
from credstack.pathways.queries import progress_for_emails


@pytest.mark.django_db
def test_demo_has_a_published_five_lesson_course_and_a_pathway():
    output = seed_demo()
    seed_demo()
    course = Course.objects.get(organization__slug="demo-academy", slug="python-basics")
    assert course.status == "published" and course.versions.count() == 1
    assert len(course.latest_version.lessons) == 5 and course.achievement.slug == "python-basics"
    assert Pathway.objects.count() == 1 and "/learn/demo-academy/python-basics" in output
    [progress] = progress_for_emails(["ada@example.org"])
    assert progress.label == "1 of 2" and not progress.complete
