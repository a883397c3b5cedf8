"""LTI 1.3 tool endpoints: OIDC login initiation, the launch, and the tool's public keys."""

from __future__ import annotations

import logging

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from pylti1p3.contrib.django import DjangoMessageLaunch, DjangoOIDCLogin
from pylti1p3.exception import LtiException, OIDCException

from credstack.courses.models import Course
from credstack.learning import actions as learning
from credstack.learning import auth as learning_auth
from credstack.learning.queries import LearningError

from . import actions
from .toolconf import PlatformToolConf, platform_for

log = logging.getLogger(__name__)
CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"
AGS_CLAIM = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"


def _problem(request, title: str, detail: str, status: int = 400) -> HttpResponse:
    return render(request, "lti/error.html", {"title": title, "detail": detail}, status=status)


@csrf_exempt
@xframe_options_exempt
@require_http_methods(["GET", "POST"])
def login(request: HttpRequest) -> HttpResponse:
    """Third-party initiated login: redirect the browser to the platform's authorization endpoint."""
    params = request.POST if request.method == "POST" else request.GET
    target = params.get("target_link_uri") or request.build_absolute_uri("/lti/launch")
    try:
        return DjangoOIDCLogin(request, PlatformToolConf()).redirect(target)
    except (LtiException, OIDCException) as exc:
        return _problem(request, "This LMS is not registered with credstack", str(exc))


@csrf_exempt
@xframe_options_exempt
@require_POST
def launch(request: HttpRequest) -> HttpResponse:
    """A validated resource-link launch: find or create the learner, enrol, send them to the course."""
    message = DjangoMessageLaunch(request, PlatformToolConf())
    try:
        data = message.get_launch_data()  # verifies signature, nonce, state, audience, deployment
    except LtiException as exc:
        log.info("LTI launch refused: %s", exc)
        return _problem(request, "This launch could not be verified", str(exc), status=401)
    # the nonce was good for this one launch: forget it (a replay in the same browser session then fails
    # pylti1p3's nonce check) and remember the token (a replay anywhere else is refused here)
    request.session.pop(f"lti1p3-nonce-{data.get('nonce')}", None)
    if not actions.accept_id_token_once(data):
        log.info("LTI launch refused: id_token replayed (iss %s)", data.get("iss"))
        return _problem(request, "This launch could not be verified", "This launch was already used.", 401)
    if not message.is_resource_launch():
        return _problem(request, "Unsupported LTI message", "credstack accepts resource link launches")
    platform = platform_for(
        data["iss"],
        message.get_launch_data().get("aud")
        if isinstance(data.get("aud"), str)
        else (data.get("aud") or [None])[0],
    )
    email = (data.get("email") or "").strip()
    if not email:
        return _problem(
            request,
            "Your email address was not shared",
            "credstack needs your email address to issue your credential. Ask your LMS administrator "
            "to share learners' email addresses with this tool (LTI privacy settings).",
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
            "No course is linked to this activity",
            "Set the custom parameter course=<course slug> on this LTI link, or a default course for "
            "the platform in credstack.",
        )
    learner = learning.learner_for(email, name)
    try:
        enrolment = learning.enrol(course, learner, source="lti")
    except LearningError as exc:
        return _problem(request, "This course is not open", str(exc))
    actions.record_grade_target(platform, enrolment, data.get("sub", ""), data.get(AGS_CLAIM) or {})
    # the LMS vouches for its user's address: enough for the course player, not for the portfolio,
    # exports, privacy or deletion, which ask for a code first (decision 0023)
    # and an LMS vouches for its own organization's learners only: the sign-in reaches its courses alone
    learning_auth.sign_in(request, learner, assurance="lti", organizations=[platform.organization_id])
    return HttpResponseRedirect(course.url)


@require_GET
def jwks(request: HttpRequest) -> JsonResponse:
    return JsonResponse(PlatformToolConf().get_jwks())
