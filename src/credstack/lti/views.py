"""LTI 1.3 tool endpoints: OIDC login initiation, the launch (resource link and deep linking), the tool's
public keys, and LTI Dynamic Registration.

Every page an LMS shows in its iframe carries ``Content-Security-Policy: frame-ancestors`` naming the
registered platform's origins (and no ``X-Frame-Options``); every other page of the site keeps ``DENY``.
"""

from __future__ import annotations

import logging
import secrets

import jwt as pyjwt
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from pylti1p3.exception import LtiException

from credstack.courses.models import Course
from credstack.learning import actions as learning
from credstack.learning import auth as learning_auth
from credstack.learning.models import Learner
from credstack.learning.queries import LearningError

from . import actions
from .launch import (
    CLAIM,
    CredstackMessageLaunch,
    begin_login,
    frame_origins,
    origin,
    set_state_cookie,
    state_cookie_name,
)
from .models import LtiPlatform
from .toolconf import PlatformToolConf, platform_for

log = logging.getLogger(__name__)
AGS_CLAIM = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
DL_CLAIM = "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"
TICKET_SECONDS = 300
PICK_SECONDS = 1800


def framable(request: HttpRequest, response: HttpResponse, origins: list[str]) -> HttpResponse:
    """Let the platform's origins (only them) frame this page."""
    response.csp_frame_ancestors = origins  # type: ignore[attr-defined]  # web.security adds it
    return response


def _problem(
    request,
    title: str,
    detail: str,
    status: int = 400,
    platform: LtiPlatform | None = None,
    technical: str = "",
) -> HttpResponse:
    """The error page an LMS shows in its frame: ``title`` and ``detail`` in the reader's language;
    ``technical``, the LTI library's own reason, below them as it gives it (English)."""
    context = {"title": title, "detail": detail, "technical": technical}
    response = render(request, "lti/error.html", context, status=status)
    return framable(request, response, frame_origins(platform))


@csrf_exempt
@xframe_options_exempt
@require_http_methods(["GET", "POST"])
def login(request: HttpRequest) -> HttpResponse:
    """Third-party initiated login: redirect the browser to the platform's authorization endpoint, with a
    state and a nonce remembered on the server (not in a Lax session cookie the launch would not carry)."""
    params = request.POST if request.method == "POST" else request.GET
    iss, client_id = params.get("iss", ""), params.get("client_id") or None
    platform = platform_for(iss, client_id) if iss else None
    if platform is None:
        return _problem(
            request,
            _("This LMS is not registered with credstack"),
            (
                _(
                    "No platform with issuer %(issuer)s and client id %(client_id)s is registered. An "
                    "administrator registers it under Workspace → LTI."
                )
                if client_id
                else _(
                    "No platform with issuer %(issuer)s is registered. An administrator registers it under "
                    "Workspace → LTI."
                )
            )
            % {"issuer": repr(iss), "client_id": repr(client_id)},
        )
    if not params.get("login_hint"):
        return _problem(
            request, _("This login is incomplete"), _("The LMS sent no login_hint."), platform=platform
        )
    url, state = begin_login(
        platform,
        redirect_uri=platform.launch_url,
        login_hint=params["login_hint"],
        lti_message_hint=params.get("lti_message_hint", ""),
    )
    response = HttpResponseRedirect(url)
    set_state_cookie(request, response, state)
    return response


def _claimed_platform(request: HttpRequest) -> LtiPlatform | None:
    """The platform a refused launch says it comes from (unverified): only to let it frame the error."""
    try:
        claims = pyjwt.decode(request.POST.get("id_token", ""), options={"verify_signature": False})
    except pyjwt.PyJWTError:
        return None
    iss = claims.get("iss")
    return LtiPlatform.objects.filter(issuer=iss).first() if isinstance(iss, str) else None


def _in_frame(request: HttpRequest) -> bool:
    return request.headers.get("Sec-Fetch-Dest", "") in ("iframe", "frame")


@csrf_exempt
@xframe_options_exempt
@require_POST
def launch(request: HttpRequest) -> HttpResponse:
    """A validated launch: a resource link enrols the learner and opens the course; a deep linking request
    lets the instructor pick the course to place."""
    message = CredstackMessageLaunch(request, PlatformToolConf())
    try:
        data = message.get_launch_data()  # signature, state, nonce, audience, registration, deployment
    except LtiException as exc:
        log.info("LTI launch refused: %s", exc)
        return _problem(
            request,
            _("This launch could not be verified"),
            _("The LMS's launch message was refused for this reason:"),
            401,
            _claimed_platform(request),
            technical=str(exc),
        )
    if not actions.accept_id_token_once(data):
        log.info("LTI launch refused: id_token replayed (iss %s)", data.get("iss"))
        return _problem(
            request, _("This launch could not be verified"), _("This launch was already used."), 401
        )
    platform = platform_for(data["iss"], message.get_client_id())
    assert platform is not None  # the registration was found by the validation
    origins = frame_origins(platform, data)
    if message.is_deep_link_launch():
        response = _deep_link_picker(request, platform, data)
    elif message.is_resource_launch():
        response = _resource_launch(request, platform, data)
    else:
        response = _problem(
            request,
            _("Unsupported LTI message"),
            _("credstack accepts resource link and deep linking launches."),
            platform=platform,
        )
    cookie = state_cookie_name(request.POST.get("state", ""))
    if cookie in request.COOKIES:
        response.delete_cookie(cookie, path="/lti/", samesite="None")
    return framable(request, response, origins)


def _resource_launch(request: HttpRequest, platform: LtiPlatform, data: dict) -> HttpResponse:
    email = (data.get("email") or "").strip()
    if not email:
        return _problem(
            request,
            _("Your email address was not shared"),
            _(
                "credstack needs your email address to issue your credential. Ask your LMS administrator "
                "to share learners' email addresses with this tool (LTI privacy settings)."
            ),
            platform=platform,
        )
    name = (
        data.get("name")
        or " ".join(p for p in (data.get("given_name"), data.get("family_name")) if p)
        or email
    )
    slug = (data.get(CLAIM + "custom") or {}).get("course")
    course = (
        Course.objects.filter(organization=platform.organization, slug=slug).first()
        if slug
        else platform.default_course
    )
    if course is None:
        return _problem(
            request,
            _("No course is linked to this activity"),
            _(
                "Set the custom parameter course=<course slug> on this LTI link (or place the link with "
                "Deep Linking), or a default course for the platform in credstack."
            ),
            platform=platform,
        )
    learner = learning.learner_for(email, name)
    try:
        enrolment = learning.enrol(course, learner, source="lti")
    except LearningError as exc:
        return _problem(request, _("This course is not open"), str(exc), platform=platform)
    actions.record_grade_target(platform, enrolment, data.get("sub", ""), data.get(AGS_CLAIM) or {})
    if _in_frame(request):
        # Inside the LMS's iframe a first-party session cookie cannot be set (a cross-site frame refuses
        # SameSite=Lax cookies, and third-party cookies may be blocked): the frame shows the course and
        # opens the player in its own tab, signed in by a one-time ticket (decision 0042).
        ticket = secrets.token_urlsafe(24)
        cache.set(
            f"credstack:lti:ticket:{ticket}",
            {"learner": learner.pk, "course": course.pk, "organization": platform.organization_id},
            timeout=TICKET_SECONDS,
        )
        return render(request, "lti/open.html", {"course": course, "ticket": ticket, "learner": learner})
    # the LMS vouches for its user's address: enough for the course player, not for the portfolio,
    # exports, privacy or deletion, which ask for a code first (decision 0023)
    # and an LMS vouches for its own organization's learners only: the sign-in reaches its courses alone
    learning_auth.sign_in(request, learner, assurance="lti", organizations=[platform.organization_id])
    return HttpResponseRedirect(course.url)


@require_GET
def continue_launch(request: HttpRequest, ticket: str) -> HttpResponse:
    """The player opened from the LMS's frame in its own tab: the ticket signs in once."""
    key = f"credstack:lti:ticket:{ticket[:64]}"
    held = cache.get(key)
    if held is None or not cache.delete(key):
        return _problem(
            request,
            _("This link was already used or has expired"),
            _("Open the activity again from your LMS."),
            status=410,
        )
    learner = Learner.objects.get(pk=held["learner"])
    course = Course.objects.get(pk=held["course"])
    learning_auth.sign_in(request, learner, assurance="lti", organizations=[held["organization"]])
    return HttpResponseRedirect(course.url)


# ---------------------------------------------------------------- Deep Linking


def _deep_link_picker(request: HttpRequest, platform: LtiPlatform, data: dict) -> HttpResponse:
    settings_claim = data.get(DL_CLAIM) or {}
    if "ltiResourceLink" not in (settings_claim.get("accept_types") or []):
        return _problem(
            request,
            _("This LMS does not accept LTI resource links here"),
            _("credstack places courses as LTI resource links (accept_types has no ltiResourceLink)."),
            platform=platform,
        )
    pick = secrets.token_urlsafe(24)
    cache.set(
        f"credstack:lti:pick:{pick}",
        {
            "platform": platform.pk,
            "deployment_id": data.get(CLAIM + "deployment_id"),
            "settings": settings_claim,
        },
        timeout=PICK_SECONDS,
    )
    courses = Course.objects.filter(
        organization=platform.organization, status=Course.Status.PUBLISHED
    ).order_by("title")
    return render(
        request,
        "lti/deep_link.html",
        {"courses": courses, "pick": pick, "organization": platform.organization},
    )


@csrf_exempt  # inside the LMS's frame the CSRF cookie (Lax) is not sent; the one-time pick id guards it
@xframe_options_exempt
@require_POST
def deep_link_choose(request: HttpRequest, pick: str) -> HttpResponse:
    key = f"credstack:lti:pick:{pick[:64]}"
    held = cache.get(key)
    if held is None:
        return _problem(
            request, _("This choice has expired"), _("Add the activity again from your LMS."), status=410
        )
    platform = LtiPlatform.objects.select_related("organization").get(pk=held["platform"])
    course = Course.objects.filter(
        organization=platform.organization,
        status=Course.Status.PUBLISHED,
        public_id=request.POST.get("course", ""),
    ).first()
    if course is None:
        return _problem(
            request,
            _("Choose a course"),
            _("Pick one of the published courses."),
            status=400,
            platform=platform,
        )
    if not cache.delete(key):
        return _problem(request, _("This choice was already sent"), _("Add the activity again."), status=410)
    return_url, jwt = actions.deep_link_response(platform, held["deployment_id"], held["settings"], course)
    response = render(
        request,
        "lti/deep_link_return.html",
        {"return_url": return_url, "jwt": jwt, "course": course},
    )
    return framable(request, response, frame_origins(platform))


@require_GET
def jwks(request: HttpRequest) -> JsonResponse:
    return JsonResponse(PlatformToolConf().get_jwks())


# ---------------------------------------------------------------- Dynamic Registration


@xframe_options_exempt
@require_http_methods(["GET"])
def dynamic_registration(request: HttpRequest, token: str) -> HttpResponse:
    """LTI Dynamic Registration: the LMS opens this URL (made on the workspace's LTI page) with its
    ``openid_configuration`` URL and a ``registration_token``; credstack registers itself with the
    platform, stores the registration, and the page tells the LMS to close it."""
    config_url = request.GET.get("openid_configuration", "")
    registration_token = request.GET.get("registration_token", "")
    origins = [o for o in [origin(config_url)] if o]
    try:
        platform = actions.register_dynamically(token, config_url, registration_token)
    except ValidationError as exc:
        detail = "; ".join(exc.messages)
        response = render(
            request,
            "lti/error.html",
            {"title": _("credstack could not register with this LMS"), "detail": detail},
            status=400,
        )
        return framable(request, response, origins)
    response = render(request, "lti/registered.html", {"platform": platform})
    return framable(request, response, list(dict.fromkeys(frame_origins(platform) + origins)))
