"""A refusal as a page: the site's error page (``web/error.html``) saying, in the user's language, why
this user may not do what they asked (an action's ``NotAllowed``, a role the page needs)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


def refused(request: HttpRequest, message: str, status: int = 403) -> HttpResponse:
    """The 403 page with ``message`` (already translated) as its explanation."""
    return render(
        request,
        "web/error.html",
        {"status": status, "title": _("Not allowed"), "message": message},
        status=status,
    )
