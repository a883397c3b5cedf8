"""The workspace's LTI page (``/w/<org_slug>/lti/``, admin role): the values to paste into the LMS, a
Dynamic Registration URL, the platforms registered by hand, and removing one."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from credstack.courses.models import Course
from credstack.organizations.actors import Actor
from credstack.organizations.permissions import Role, member_required

from . import actions
from .models import LtiPlatform

FIELDS = (
    "name",
    "issuer",
    "client_id",
    "deployment_ids",
    "auth_login_url",
    "auth_token_url",
    "key_set_url",
    "default_course",
)


def tool_values() -> list[dict]:
    """What an LMS administrator pastes into the LMS (the same for every platform)."""
    base = settings.CREDSTACK_BASE_URL
    return [
        {"key": "login", "label": _("Login initiation URL (OpenID Connect)"), "value": f"{base}/lti/login"},
        {
            "key": "launch",
            "label": _("Redirect / launch URL (target link URI)"),
            "value": f"{base}/lti/launch",
        },
        {"key": "jwks", "label": _("Public keyset URL (JWKS)"), "value": f"{base}/lti/jwks"},
        {"key": "deep", "label": _("Deep linking URL (content selection)"), "value": f"{base}/lti/launch"},
    ]


@member_required(Role.ADMIN)
def platform_list(request, org_slug: str):
    org = request.organization
    errors: dict[str, str] = {}
    posted: dict[str, str] = {}
    courses = Course.objects.filter(organization=org).order_by("title")
    if request.method == "POST":
        posted = {f: request.POST.get(f, "").strip() for f in FIELDS}
        course = (
            courses.filter(public_id=posted["default_course"]).first() if posted["default_course"] else None
        )
        try:
            platform = actions.register_platform(
                org,
                name=posted["name"],
                issuer=posted["issuer"],
                client_id=posted["client_id"],
                deployment_ids=posted["deployment_ids"].replace(",", "\n").splitlines(),
                auth_login_url=posted["auth_login_url"],
                auth_token_url=posted["auth_token_url"],
                key_set_url=posted["key_set_url"],
                default_course=course,
                actor=Actor.for_user(request.user),
            )
        except ValidationError as exc:
            errors = {k: "; ".join(v) for k, v in exc.message_dict.items()}
        else:
            messages.success(
                request,
                _("%(name)s is registered: launches from it are accepted now.") % {"name": platform.name},
            )
            return redirect("lti:platforms", org.slug)
    return render(
        request,
        "lti/platforms.html",
        {
            "platforms": LtiPlatform.objects.filter(organization=org).select_related("default_course"),
            "tool_values": tool_values(),
            "registration_url": actions.registration_url(org, Actor.for_user(request.user)),
            "courses": courses,
            "errors": errors,
            "posted": posted,
        },
        status=422 if errors else 200,
    )


@member_required(Role.ADMIN)
@require_POST
def platform_remove(request, org_slug: str, public_id: str):
    platform = get_object_or_404(LtiPlatform, organization=request.organization, public_id=public_id)
    name = platform.name
    actions.remove_platform(platform, actor=Actor.for_user(request.user))
    messages.success(
        request, _("%(name)s is removed: its launches are refused from now on.") % {"name": name}
    )
    return redirect("lti:platforms", org_slug)
