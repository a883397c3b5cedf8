"""The language of each page (issue 17; the rules are credstack.organizations.languages).

Before the page cache: the viewer's own language is active for everything (the switcher's cookie, else
Accept-Language), and a ``?lang=de`` link of the language switcher sets that cookie and comes back to the
page without the parameter (a GET link, so a cached page needs no CSRF token for it). Once the view is
known (``process_view``, after sessions and users): a learner page of an organization speaks its course's
or its organization's language unless the viewer chose one, and the workspace speaks its user's own.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils import translation
from django.utils.cache import patch_vary_headers

from credstack.accounts.actions import language_of
from credstack.achievements.models import Achievement
from credstack.courses.models import Course
from credstack.credentials.models import Credential
from credstack.organizations import languages
from credstack.organizations.models import Organization

WORKSPACE_PREFIXES = ("/w/", "/accounts/", "/admin/")
COOKIE_SECONDS = 365 * 24 * 3600


def switch(request: HttpRequest) -> HttpResponse | None:
    """``?lang=xx`` from the switcher: remember the choice and show the same page without it."""
    if request.method != "GET" or "lang" not in request.GET:
        return None
    code = languages.supported(request.GET["lang"])
    rest = request.GET.copy()
    del rest["lang"]
    target = request.path + (f"?{urlencode(rest, doseq=True)}" if rest else "")
    response = HttpResponseRedirect(target)
    if code:
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            code,
            max_age=COOKIE_SECONDS,
            samesite="Lax",
            secure=request.is_secure(),
        )
    response["Cache-Control"] = "no-store"
    return response


def page_owner(request: HttpRequest, kwargs: dict) -> tuple[Organization | None, object | None]:
    """The organization (and course or achievement) a learner page is about, from its URL, or Nones."""
    match = request.resolver_match
    name = match.view_name if match else ""
    if name.startswith("learning:") and "org_slug" in kwargs and "course_slug" in kwargs:
        course = (
            Course.objects.select_related("organization")
            .filter(organization__slug=kwargs["org_slug"], slug=kwargs["course_slug"])
            .first()
        )
        return (course.organization, course) if course else (None, None)
    if name in ("credential", "achievement") and "public_id" in kwargs:
        if name == "credential":
            credential = (
                Credential.objects.select_related("organization", "achievement")
                .filter(public_id=kwargs["public_id"])
                .first()
            )
            return (credential.organization, credential.achievement) if credential else (None, None)
        achievement = (
            Achievement.objects.select_related("organization").filter(public_id=kwargs["public_id"]).first()
        )
        return (achievement.organization, achievement) if achievement else (None, None)
    if name in ("learning:login", "portal-login"):  # the organization whose page sent the learner here
        slug = request.POST.get("org") or request.GET.get("org")
        org = Organization.objects.filter(slug=slug).first() if slug else None
        return org, None
    if name == "portal-org" and "slug" in kwargs:
        return Organization.objects.filter(slug=kwargs["slug"]).first(), None
    return None, None


class LanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if (redirect := switch(request)) is not None:
            return redirect
        # the thread's language is the request's only while it is answered: whatever the thread does next
        # (a task run inline, the next test) starts from the language it had before
        previous = translation.get_language()
        translation.activate(languages.viewer_language(request))
        try:
            response = self.get_response(request)
            response.headers.setdefault("Content-Language", translation.get_language())
        finally:
            translation.activate(previous)
        patch_vary_headers(response, ("Accept-Language", "Cookie"))
        return response

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs) -> None:
        if request.path.startswith(WORKSPACE_PREFIXES):
            own = language_of(getattr(request, "user", None))
            if own:
                translation.activate(own)
            return None
        org, owner = page_owner(request, view_kwargs)
        if org is not None:
            translation.activate(languages.for_page(request, org, owner))
        return None
