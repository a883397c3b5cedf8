"""The learner emails (course invitation, review reminder): a text part and a branded HTML alternative.

The HTML layout (``learning/email/layout.html``) looks like the credential email of ``credstack.delivery``:
the organization's name, logo and brand colour in the header, one large button, at most 600 px wide.
"""

from __future__ import annotations

import unicodedata

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from credstack.organizations import languages
from credstack.organizations.brand import brand_context, sender

from .tokens import reminders_token

SUBJECT_TITLE_MAX = 60
_JOINERS = {"\u200d", "\u200c"}  # zero-width (non-)joiner: never leave one dangling at a cut


def short_title(title: str, limit: int = SUBJECT_TITLE_MAX) -> str:
    """The title on one line, cut to at most ``limit`` characters with an ellipsis when longer.

    Cuts at a word boundary when one is near, and never splits a character from its combining marks,
    variation selector or emoji joiner."""
    text = " ".join(title.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space >= limit * 2 // 3:
        cut = cut[:space]
    # never split a grapheme: while the next character continues the last one (combining mark,
    # variation selector, skin tone, joiner) or the last one is a joiner, drop the last character
    while cut and (_continues(text[len(cut)]) or cut[-1] in _JOINERS):
        cut = cut[:-1]
    # a flag is a pair of regional indicators: do not leave half of one
    if cut and _is_regional(cut[-1]) and _is_regional(text[len(cut)]):
        run = len(cut) - len(cut.rstrip("".join(chr(c) for c in range(0x1F1E6, 0x1F200))))
        if run % 2:
            cut = cut[:-1]
    return cut.rstrip(" ,;:.-–—") + "…"


def _continues(char: str) -> bool:
    """Whether ``char`` attaches to the character before it."""
    return (
        bool(unicodedata.combining(char))
        or char in _JOINERS
        or "\ufe00" <= char <= "\ufe0f"  # variation selectors
        or "\U0001f3fb" <= char <= "\U0001f3ff"  # skin tones
    )


def _is_regional(char: str) -> bool:
    return "\U0001f1e6" <= char <= "\U0001f1ff"


def build(
    *, template: str, subject: str, to: list[str], org, context: dict, headers: dict | None = None
) -> EmailMultiAlternatives:
    """``learning/email/<template>.txt`` as the body, ``<template>.html`` as its HTML alternative."""
    context = {**context, "org": org, "subject": subject, **brand_context(org)}
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"learning/email/{template}.txt", context),
        from_email=sender(org),
        to=to,
        headers=headers or {},
    )
    message.attach_alternative(render_to_string(f"learning/email/{template}.html", context), "text/html")
    return message


def invitation(enrolment, address: str) -> EmailMultiAlternatives:
    """The course invitation, to ``address`` (the one the educator typed, decision 0023), in the course's
    language (else its organization's)."""
    course = enrolment.course
    with translation.override(languages.for_email(course.organization, course)):
        return _invitation(enrolment, course, address)


def _invitation(enrolment, course, address: str) -> EmailMultiAlternatives:
    return build(
        template="invitation",
        subject=_("You are invited: %(title)s") % {"title": short_title(course.title)},
        to=[address],
        org=course.organization,
        context={
            "enrolment": enrolment,
            "course": course,
            "address": address,
            "button_label": _("Start the course"),
            "button_url": course.url,
        },
    )


def review_reminder(enrolment, count: int) -> EmailMultiAlternatives:
    """``count`` review questions are due: a button to review and a one-click way to stop reminders."""
    stop_url = settings.CREDSTACK_BASE_URL + reverse(
        "learning:reminders-off", args=[reminders_token(enrolment)]
    )
    course = enrolment.course
    with translation.override(languages.for_email(course.organization, course)):
        return _review_reminder(enrolment, course, count, stop_url)


def _review_reminder(enrolment, course, count: int, stop_url: str) -> EmailMultiAlternatives:
    return build(
        template="review",
        subject=ngettext(
            "%(count)d question to review: %(title)s", "%(count)d questions to review: %(title)s", count
        )
        % {"count": count, "title": short_title(course.title)},
        to=[enrolment.learner.email],
        org=course.organization,
        context={
            "enrolment": enrolment,
            "course": course,
            "count": count,
            "stop_url": stop_url,
            "button_label": _("Review now"),
            "button_url": settings.CREDSTACK_BASE_URL
            + reverse("learning:review", args=[course.organization.slug, course.slug]),
        },
        # RFC 2369 / RFC 8058: mail apps offer a one-click "unsubscribe" that POSTs to this URL
        headers={
            "List-Unsubscribe": f"<{stop_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
