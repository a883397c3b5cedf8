"""The learner's pages on a phone (390 px): nothing scrolls sideways, answers and actions are big enough to
tap, a wide lesson table scrolls inside itself instead of breaking words letter by letter, the quiz
feedback is not hidden behind the buttons, and /learn and /me say the same thing about the one sign-in."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from credstack.courses import actions as course_actions

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}
EMAIL = "fatima.alzahra.abdulrahman.alhashimi@very-long-university-domain-name.example.edu"
NAME = "فاطمة الزهراء بنت عبد الرحمن الهاشمي"
LONG_URL = "https://example.org/" + "/".join(["a-long-path-segment"] * 6) + "?and=a_query_string_too"
LESSON = f"""Read the table before you trust it.

| column | type | example | notes | source |
|---|---|---|---|---|
| respondent_identifier_hash | string | `a3f9c2e1b7d4` | pseudonymous | survey export |
| household_income_before_tax | integer | 48200 | top-coded | {LONG_URL} |

Further reading: {LONG_URL}
"""


def _course(org, achievement):
    course = course_actions.create_course(
        organization=org,
        slug="data-sense",
        title="Data sense: reading, questioning and presenting data with confidence at work",
        summary="One lesson.",
        achievement=achievement,
    )
    lesson = course_actions.add_lesson(course, title="Reading a table", body=LESSON, max_attempts=3)
    course_actions.add_question(
        lesson,
        kind="single",
        prompt="Which question comes first about a dataset a colleague calls clean?",
        choices=[
            {
                "key": "who",
                "text": "Who collected it, for what purpose, and what was left out",
                "correct": True,
            },
            {"key": "chart", "text": "Which chart will look best"},
        ],
        feedback_incorrect="Provenance first.",
    )
    course_actions.add_question(
        lesson,
        kind="multiple",
        prompt="Which are signs of missing data?",
        choices=[
            {"key": "empty", "text": "Empty cells", "correct": True},
            {"key": "na", "text": "The text n/a", "correct": True},
            {"key": "header", "text": "A column header"},
        ],
    )
    course_actions.add_question(
        lesson, kind="truefalse", prompt="A mean always summarises incomes well.", answers=["false"]
    )
    course_actions.add_question(
        lesson, kind="text", prompt="Which statistic resists outliers?", answers=["median"]
    )
    course_actions.publish_course(course)
    return course


def _code_for(email: str) -> str:
    message = next(m for m in reversed(mail.outbox) if email in m.to and "sign-in code" in m.subject)
    return re.search(r"\b(\d{6})\b", message.subject).group(1)


def _no_sideways_scroll(page, where: str) -> None:
    widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], (
        f"{where}: the page scrolls sideways ({widths[0]} px wide at {widths[1]} px)"
    )


def _heights(locator) -> list[float]:
    return [box["height"] for box in (el.bounding_box() for el in locator.all()) if box]


def test_player_quiz_and_portfolio_fit_a_phone(page, base_url, org, achievement, issue):
    course = _course(org, achievement)
    issue(name=NAME, email=EMAIL)  # a credential in the portfolio, with an Arabic name
    page.set_viewport_size(PHONE)

    # one sign-in, the same words on both sites
    page.goto(f"/learn/sign-in?next=/learn/{org.slug}/{course.slug}")
    page.get_by_label("Email address").fill(EMAIL)
    page.get_by_role("button", name="Email me a code").click()
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    _no_sideways_scroll(page, "the code step")
    page.get_by_label("6-digit code").fill(_code_for(EMAIL))
    page.get_by_role("button", name="Sign in").click()

    _no_sideways_scroll(page, "the course page")
    page.get_by_label("Your name, as it should appear on your credential").fill(NAME)
    page.get_by_role("button", name=re.compile("Enrol")).click()
    expect(page.get_by_role("heading", name="Reading a table", level=1)).to_be_visible()
    _no_sideways_scroll(page, "the lesson")
    # the wide table scrolls inside the lesson; its words stay whole
    table = page.locator(".prose table")
    assert table.evaluate("t => t.scrollWidth > t.clientWidth"), "the table is squeezed instead of scrolling"
    cell = page.locator(".prose td", has_text="household_income_before_tax")
    lines = cell.evaluate(
        "td => { const r = document.createRange(); r.selectNodeContents(td);"
        " return new Set([...r.getClientRects()].map(x => Math.round(x.top))).size; }"
    )
    assert lines == 1, f"a column name is broken over {lines} lines"

    page.get_by_role("button", name=re.compile("take the quiz")).click()
    _no_sideways_scroll(page, "the quiz")
    answers = page.locator("label.choice")
    expect(answers).to_have_count(2 + 3 + 2)
    assert min(_heights(answers)) >= 44, "an answer is smaller than a 44 px tap target"
    assert min(_heights(page.get_by_placeholder("Your answer"))) >= 44

    # fail: the learner reads the feedback, with their own answer; the buttons do not cover it
    page.get_by_label("Which chart will look best").check()
    page.get_by_label("A column header").check()
    page.get_by_label("True", exact=True).check()
    page.get_by_placeholder("Your answer").fill("mean")
    page.get_by_role("button", name="Submit answers").click()
    assert "Not passed yet" in page.get_by_role("status").inner_text()
    _no_sideways_scroll(page, "the quiz result")
    first = page.locator("ol.feedback li").first
    assert "Your answer: Which chart will look best" in first.inner_text()
    covered = first.evaluate(
        "li => { const b = li.getBoundingClientRect(); const x = b.left + b.width / 2;"
        " return [b.top + 5, b.bottom - 5].filter(y => y < innerHeight)"
        ".some(y => !li.contains(document.elementFromPoint(x, y))); }"
    )
    assert not covered, "the first feedback card is hidden behind the buttons"

    page.goto("/learn/")
    _no_sideways_scroll(page, "my courses")
    expect(page.get_by_role("link", name=re.compile("^Continue"))).to_be_visible()

    # the portfolio: one session, download and share controls big enough to tap
    page.goto("/me/")
    expect(page.get_by_role("heading", name="Python Basics")).to_be_visible()
    _no_sideways_scroll(page, "the portfolio")
    card = page.locator("li.cred").first
    targets = card.get_by_role("group", name="Download").get_by_role("link")
    targets_share = card.get_by_role("group", name="Share").locator("a, button")
    assert targets.count() == 4 and targets_share.count() == 3
    assert min(_heights(targets) + _heights(targets_share)) >= 44, "a download or share control is too small"
    page.goto("/me/emails")
    _no_sideways_scroll(page, "the email addresses")

    # the portal's sign-in uses the same words as the player's
    other = page.context.browser.new_context(base_url=base_url, viewport=PHONE)
    try:
        portal = other.new_page()
        portal.goto("/me/login")
        portal.get_by_label("Email address").fill("someone@example.org")
        portal.get_by_role("button", name="Email me a code").click()
        expect(portal.get_by_role("heading", name="Check your email")).to_be_visible()
        expect(portal.get_by_label("6-digit code")).to_be_visible()
    finally:
        other.close()
