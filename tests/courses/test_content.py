"""Lesson Markdown is sanitised; quiz answers are graded; patterns cannot hang the server."""

from __future__ import annotations

import pytest

from credstack.courses import content


def test_markdown_is_sanitised_and_keeps_the_good_parts():
    html = content.render_markdown(
        "# Title\n\n**bold** and `code`\n\n<script>alert(1)</script>\n\n[bad](javascript:alert(1)) "
        '[good](https://python.org)\n\n<img src=x onerror=alert(1)>\n\n<iframe src="https://evil.example"></iframe>\n\n'
        "![diagram](attachment:d.png)\n\n@[video](https://www.youtube.com/watch?v=dQw4w9WgXcQ)\n\n"
        "@[video](https://vimeo.com/76979871)\n\n| a | b |\n|---|---|\n| 1 | 2 |\n",
        {"d.png": "/learn/files/xyz/d.png"},
    )
    assert "<h2>Title</h2>" in html  # lesson headings start below the page's h1
    assert "<strong>bold</strong>" in html and "<code>code</code>" in html and "<table>" in html
    assert "script" not in html and "alert" not in html and "onerror" not in html and "javascript" not in html
    assert 'href="https://python.org"' in html and "evil.example" not in html
    assert 'src="/learn/files/xyz/d.png"' in html
    assert 'src="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"' in html
    assert 'src="https://player.vimeo.com/video/76979871"' in html


@pytest.mark.parametrize(
    "url,expected",
    [
        ("https://youtu.be/dQw4w9WgXcQ", "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"),
        (
            "https://m.youtube.com/watch?v=dQw4w9WgXcQ&t=3",
            "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ",
        ),
        ('https://www.youtube.com/watch?v=bad"quote', None),
        ("https://example.org/watch?v=dQw4w9WgXcQ", None),
        ("javascript:alert(1)", None),
    ],
)
def test_video_embeds_only_for_known_hosts(url, expected):
    assert content.video_embed_url(url) == expected


def _q(kind, **kw):
    return {
        "kind": kind,
        "choices": kw.get("choices", []),
        "answers": kw.get("answers", []),
        "match": kw.get("match", "exact"),
    }


def test_grading_every_kind():
    single = _q("single", choices=[{"key": "a", "correct": True}, {"key": "b", "correct": False}])
    assert content.grade(single, "a") and not content.grade(single, "b") and not content.grade(single, ["a"])
    multiple = _q(
        "multiple",
        choices=[
            {"key": "a", "correct": True},
            {"key": "b", "correct": True},
            {"key": "c", "correct": False},
        ],
    )
    assert content.grade(multiple, ["b", "a"]) and not content.grade(multiple, ["a"])
    assert not content.grade(multiple, ["a", "b", "c"])
    truth = _q("truefalse", choices=[{"key": "true", "correct": False}, {"key": "false", "correct": True}])
    assert content.grade(truth, "false") and not content.grade(truth, "true")
    exact = _q("text", answers=["Guido van Rossum", "guido"])
    assert content.grade(exact, "  GUIDO   van  rossum ") and content.grade(exact, "Guido")
    assert not content.grade(exact, "Linus") and not content.grade(exact, None)
    pattern = _q("text", answers=[r"print\s*\(.*\)"], match="pattern")
    assert content.grade(pattern, "print('hi')") and not content.grade(pattern, "echo hi")


def test_a_catastrophic_pattern_fails_closed():
    # (x+x+)+y against 5,000 x's backtracks for longer than any test run: an answer at all is the time limit.
    evil = _q("text", answers=[r"(x+x+)+y"], match="pattern")
    assert content.grade(evil, "x" * 5000) is False


def test_bad_patterns_are_refused_with_the_reason():
    with pytest.raises(content.PatternError, match="not a valid regular expression"):
        content.check_pattern("([a-z")
    with pytest.raises(content.PatternError, match="at most 200"):
        content.check_pattern("a" * 201)
