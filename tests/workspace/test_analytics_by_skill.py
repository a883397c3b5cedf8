"""Analytics by skill (issue 17): the analytics page breaks the credentials down by the skills their
achievements are aligned to, each skill counting the credentials of every achievement that carries it."""

from __future__ import annotations

from django.test import Client

from credstack.achievements import actions
from credstack.achievements.actions import create_achievement
from tests.achievements.test_skills import _case


def _row(html: str, name: str) -> list[str]:
    table = html.split('id="analytics-skills-table"', 1)[1].split("</table>", 1)[0]
    row = table.split(name, 1)[1].split("</tr>", 1)[0]
    return [cell.split(">", 1)[1] for cell in row.split("</td>")[2:-1]]  # the counts, in the kinds' order


def test_the_analytics_page_breaks_credentials_down_by_skill(org, achievement, issue, signed_in):
    framework = actions.import_framework(org, kind="case", data=_case())
    analysis, python = framework.skills.get(code="DS.1.1"), framework.skills.get(code="DS.1.2")
    sql = create_achievement(
        organization=org, slug="sql", name="SQL Basics", description="d", criteria_narrative="c"
    )
    actions.align_skills(achievement, [analysis, python], actor="test")
    actions.align_skills(sql, [analysis], actor="test")
    first = issue(email="a@example.org")
    issue(email="b@example.org")
    issue(email="c@example.org", achievement=sql)
    Client().get(f"/c/{first.public_id}")  # a stranger views one

    html = signed_in("viewer").get(f"/w/{org.slug}/analytics/").content.decode()
    assert 'id="analytics-by-skill"' in html
    counts = [int(n) for n in _row(html, "Data analysis")]
    assert (counts[0], counts[3]) == (3, 1)  # issued, viewed: both achievements' credentials
    assert int(_row(html, python.name)[0]) == 2  # Python Basics only
    # most issued first
    assert html.index("Data analysis") < html.index(python.name, html.index('id="analytics-skills-table"'))
