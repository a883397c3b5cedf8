"""Lesson content and quiz grading, with no database access.

- ``render_markdown``: Markdown -> HTML, sanitised by nh3 (Ammonia). Images and links keep only http(s)
  or same-site URLs; ``@[video](URL)`` on a line of its own becomes a privacy-friendly embed for
  YouTube or Vimeo (the only iframes the sanitiser lets through); ``attachment:NAME`` in a link or
  image points at the lesson's uploaded file of that name.
- ``grade``: whether an answer to a question (as frozen in a course version) is right.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import parse_qs, urlparse

import markdown as md
import nh3
import regex
from django.utils.translation import gettext as _

MAX_MARKDOWN = 100_000
MAX_TEXT_ANSWER = 200
MAX_PATTERN = 200
PATTERN_TIMEOUT = 0.05  # seconds: a pathological pattern fails closed instead of hanging a worker

_VIDEO_LINE = re.compile(r"^@\[video\]\((?P<url>[^)\s]+)\)\s*$", re.MULTILINE)
_HEADING = re.compile(r"<(/?)h([1-6])(?=[\s>])")
_ATTACHMENT_REF = re.compile(r"\(attachment:(?P<name>[^)\s]+)\)")

ALLOWED_TAGS = {
    "p", "br", "hr", "h2", "h3", "h4", "h5", "h6", "strong", "em", "b", "i", "code", "pre", "blockquote",
    "ul", "ol", "li", "a", "img", "table", "thead", "tbody", "tr", "th", "td", "figure", "figcaption",
    "iframe", "div", "span", "sup", "sub", "del",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height", "loading"},
    "iframe": {"src", "title", "allow", "allowfullscreen", "loading", "referrerpolicy"},
    "div": {"class"},
    "th": {"align"},
    "td": {"align"},
    "code": {"class"},
}
VIDEO_HOSTS = ("https://www.youtube-nocookie.com/embed/", "https://player.vimeo.com/video/")


def video_embed_url(url: str) -> str | None:
    """The embeddable URL for a YouTube or Vimeo link, or None."""
    parsed = urlparse(url)
    host = (parsed.hostname or "").lower().removeprefix("www.").removeprefix("m.")
    video_id = None
    if host in ("youtube.com", "youtube-nocookie.com"):
        if parsed.path == "/watch":
            video_id = parse_qs(parsed.query).get("v", [None])[0]
        elif parsed.path.startswith(("/embed/", "/shorts/")):
            video_id = parsed.path.split("/")[2]
        if video_id and re.fullmatch(r"[A-Za-z0-9_-]{6,20}", video_id):
            return f"https://www.youtube-nocookie.com/embed/{video_id}"
    elif host == "youtu.be":
        video_id = parsed.path.strip("/")
        if re.fullmatch(r"[A-Za-z0-9_-]{6,20}", video_id):
            return f"https://www.youtube-nocookie.com/embed/{video_id}"
    elif host in ("vimeo.com", "player.vimeo.com"):
        video_id = parsed.path.rstrip("/").split("/")[-1]
        if video_id.isdigit():
            return f"https://player.vimeo.com/video/{video_id}"
    return None


def _filter_attribute(tag: str, attribute: str, value: str) -> str | None:
    if tag == "iframe" and attribute == "src":
        return value if value.startswith(VIDEO_HOSTS) else None
    if tag == "div" and attribute == "class":
        return value if value == "video" else None
    if tag == "code" and attribute == "class":
        return value if re.fullmatch(r"language-[a-z0-9+#-]{1,20}", value) else None
    return value


def sanitize(html: str) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
        attribute_filter=_filter_attribute,
        strip_comments=True,
    )


def render_markdown(text: str, attachments: dict[str, str] | None = None) -> str:
    """Lesson Markdown -> safe HTML. ``attachments`` maps a file name to its URL."""
    text = (text or "")[:MAX_MARKDOWN]
    attachments = attachments or {}

    def video(match: re.Match) -> str:
        embed = video_embed_url(match.group("url"))
        if embed is None:
            return match.group(0)
        return (
            f'\n<div class="video"><iframe src="{embed}" title="Video" loading="lazy" '
            'allow="encrypted-media; picture-in-picture; fullscreen" allowfullscreen '
            'referrerpolicy="strict-origin-when-cross-origin"></iframe></div>\n'
        )

    def attachment(match: re.Match) -> str:
        url = attachments.get(match.group("name"))
        return f"({url})" if url else "(#missing-attachment)"

    text = _VIDEO_LINE.sub(video, text)
    text = _ATTACHMENT_REF.sub(attachment, text)
    html = md.markdown(text, extensions=["fenced_code", "tables", "sane_lists"], output_format="html")
    # The page's own title is the h1: lesson headings start at h2.
    html = _HEADING.sub(lambda m: f"<{m.group(1)}h{min(int(m.group(2)) + 1, 6)}", html)
    return sanitize(html)


# ---------------------------------------------------------------- grading


def normalise_text(value: str) -> str:
    value = unicodedata.normalize("NFKC", value or "")
    return " ".join(value.split()).casefold()


class PatternError(ValueError):
    pass


def check_pattern(pattern: str) -> None:
    """Refuse a pattern that cannot be compiled or is too long (raises PatternError with the reason)."""
    if len(pattern) > MAX_PATTERN:
        raise PatternError(
            _("the pattern is %(length)s characters long; at most %(limit)s are allowed")
            % {"length": len(pattern), "limit": MAX_PATTERN}
        )
    try:
        regex.compile(pattern)
    except regex.error as exc:
        raise PatternError(_("the pattern is not a valid regular expression: %(error)s") % {"error": exc})


def text_matches(question: dict, answer: str) -> bool:
    answer = (answer or "")[:MAX_TEXT_ANSWER]
    if question.get("match") == "pattern":
        pattern = (question.get("answers") or [""])[0]
        try:
            return (
                regex.fullmatch(
                    pattern, answer.strip(), flags=regex.IGNORECASE | regex.V0, timeout=PATTERN_TIMEOUT
                )
                is not None
            )
        except (TimeoutError, regex.error):
            return False
    accepted = {normalise_text(a) for a in question.get("answers") or []}
    return normalise_text(answer) in accepted


def grade(question: dict, answer) -> bool:
    """Is ``answer`` right? ``answer``: a choice key (single, true/false), a list of keys (multiple), text."""
    kind = question["kind"]
    if kind == "text":
        return isinstance(answer, str) and text_matches(question, answer)
    correct = {c["key"] for c in question["choices"] if c.get("correct")}
    if kind == "multiple":
        chosen = set(answer) if isinstance(answer, list | tuple | set) else {answer}
        return chosen == correct
    return isinstance(answer, str) and answer in correct and len(correct) == 1
