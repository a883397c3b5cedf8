"""LTI 1.3: registering a platform, handling a launch, sending the grade back."""

from __future__ import annotations

import hashlib
import json
import logging
import secrets
import time
from urllib.parse import urlsplit

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from pylti1p3.assignments_grades import AssignmentsGradesService
from pylti1p3.deep_link import DeepLink
from pylti1p3.deep_link_resource import DeepLinkResource
from pylti1p3.exception import LtiException, LtiServiceException
from pylti1p3.grade import Grade
from pylti1p3.lineitem import LineItem
from pylti1p3.service_connector import ServiceConnector

from credstack import httpclient
from credstack.organizations import audit
from credstack.organizations.actors import Actor
from credstack.organizations.models import Organization
from credstack.organizations.sealing import seal
from credstack.ui import blocked

from .http import Session, address_policy
from .models import LtiGradeTarget, LtiPlatform
from .toolconf import PlatformToolConf

log = logging.getLogger(__name__)
AGS_SCORE_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
# an id_token is accepted once: its issuer and nonce (and jti, when it has one) are remembered this long at
# least (or until the token expires, if later), in the cache shared by the web nodes
USED_TOKEN_MIN_SECONDS = 600
USED_TOKEN_MAX_SECONDS = 86400


def accept_id_token_once(claims: dict) -> bool:
    """Remember a verified launch's id_token; False if it was seen before (a replay)."""
    exp = claims.get("exp")
    left = int(exp - time.time()) if isinstance(exp, (int, float)) else 0
    ttl = min(max(left + 60, USED_TOKEN_MIN_SECONDS), USED_TOKEN_MAX_SECONDS)
    marks = [f"nonce:{claims.get('nonce', '')}"] + ([f"jti:{claims['jti']}"] if claims.get("jti") else [])
    fresh = True
    for mark in marks:
        digest = hashlib.sha256(f"{claims.get('iss', '')}|{mark}".encode()).hexdigest()
        fresh = cache.add(f"credstack:lti:used:{digest}", 1, timeout=ttl) and fresh
    return fresh


@transaction.atomic
def register_platform(
    organization: Organization,
    *,
    name: str,
    issuer: str,
    client_id: str,
    deployment_ids: list[str],
    auth_login_url: str,
    auth_token_url: str,
    key_set_url: str = "",
    key_set: dict | None = None,
    auth_audience: str = "",
    default_course=None,
    actor: Actor | None,
) -> LtiPlatform:
    """Register an LMS; credstack makes the tool's RSA key pair (the private half sealed at rest)."""
    name, issuer, client_id = name.strip(), issuer.strip(), client_id.strip()
    deployment_ids = [d.strip() for d in deployment_ids if d and d.strip()]
    if not name:
        raise ValidationError({"name": _("give the platform a name (e.g. Moodle of Acme)")})
    if LtiPlatform.objects.filter(issuer=issuer, client_id=client_id).exists():
        raise ValidationError(
            {
                "client_id": _("a platform with issuer %(issuer)s and this client id is registered")
                % {"issuer": issuer}
            }
        )
    if not key_set_url and not key_set:
        raise ValidationError({"key_set_url": _("give the platform's JWKS URL (or its key set)")})
    if not deployment_ids:
        raise ValidationError({"deployment_ids": _("at least one deployment id")})
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private_pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    public_pem = (
        private.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    platform = LtiPlatform(
        organization=organization,
        name=name,
        issuer=issuer,
        client_id=client_id,
        deployment_ids=list(deployment_ids),
        auth_login_url=auth_login_url,
        auth_token_url=auth_token_url,
        auth_audience=auth_audience,
        key_set_url=key_set_url,
        key_set=json.dumps(key_set) if key_set else "",
        default_course=default_course,
        tool_kid=secrets.token_hex(8),
        tool_public_pem=public_pem,
    )
    platform.full_clean(exclude=["sealed_tool_private_key"])
    platform.sealed_tool_private_key = seal(private_pem, f"lti:{platform.public_id}")
    platform.save()
    audit.record(
        organization,
        actor,
        "lti.platform_registered",
        target=platform.public_id,
        detail=f"{name}: issuer {issuer}, client id {client_id}, deployments {', '.join(deployment_ids)}",
    )
    return platform


@transaction.atomic
def remove_platform(platform: LtiPlatform, *, actor: Actor | None) -> None:
    audit.record(
        platform.organization,
        actor,
        "lti.platform_removed",
        target=platform.public_id,
        detail=f"{platform.name}: issuer {platform.issuer}, client id {platform.client_id}",
    )
    platform.delete()


def record_grade_target(platform: LtiPlatform, enrolment, user_sub: str, ags_claim: dict) -> None:
    if not ags_claim or AGS_SCORE_SCOPE not in ags_claim.get("scope", []):
        return
    LtiGradeTarget.objects.update_or_create(
        enrolment=enrolment, defaults={"platform": platform, "user_sub": user_sub, "ags": ags_claim}
    )


def send_grade(target_id: int) -> bool:
    """Post the enrolment's score to the platform's line item (AGS). Returns True when sent."""

    target = LtiGradeTarget.objects.select_related("platform", "enrolment").get(pk=target_id)
    if target.sent_at:
        return True
    enrolment, platform = target.enrolment, target.platform
    registration = PlatformToolConf().find_registration_by_params(platform.issuer, platform.client_id)
    score = float(getattr(enrolment, "average_score", None) or 0)
    now = timezone.now().isoformat()
    grade = (
        Grade()
        .set_score_given(round(score, 2))
        .set_score_maximum(100)
        .set_timestamp(now)
        .set_activity_progress("Completed")
        .set_grading_progress("FullyGraded")
        .set_user_id(target.user_sub)
    )
    connector = ServiceConnector(registration, Session())  # type: ignore[arg-type]  # the same calls
    service = AssignmentsGradesService(connector, target.ags)
    try:
        line_item = None
        if not target.ags.get("lineitem"):
            line_item = (
                LineItem()
                .set_tag("credstack-course")
                .set_score_maximum(100)
                .set_label(enrolment.course.title)
            )
        service.put_grade(grade, line_item)
    except (LtiException, LtiServiceException, OSError) as exc:
        target.last_error = str(exc)[:500]
        target.save(update_fields=["last_error"])
        log.warning("LTI grade for enrolment %s not sent: %s", enrolment.pk, exc)
        return False
    target.sent_at, target.last_error = timezone.now(), ""
    target.save(update_fields=["sent_at", "last_error"])
    return True


# ---------------------------------------------------------------- Deep Linking


def deep_link_response(
    platform: LtiPlatform, deployment_id: str, dl_settings: dict, course
) -> tuple[str, str]:
    """The signed LtiDeepLinkingResponse placing ``course`` as an LTI resource link (with a line item, so
    the LMS makes a grade column for AGS). Returns the platform's return URL and the JWT. Nothing is
    written: the platform stores the link."""
    registration = PlatformToolConf().find_registration_by_params(platform.issuer, platform.client_id)
    resource = (
        DeepLinkResource()
        .set_url(platform.launch_url)
        .set_title(course.title)
        .set_custom_params({"course": course.slug})
        .set_lineitem(LineItem().set_score_maximum(100).set_label(course.title).set_tag("credstack-course"))
    )
    deep_link = DeepLink(registration, deployment_id, dl_settings)  # type: ignore[arg-type]
    message = deep_link.get_message_jwt([resource])
    if dl_settings.get("data") is None:
        message.pop("https://purl.imsglobal.org/spec/lti-dl/claim/data", None)
    return dl_settings["deep_link_return_url"], deep_link.encode_jwt(message)


# ---------------------------------------------------------------- Dynamic Registration

REGISTRATION_SALT = "credstack.lti.dynamic-registration"
REGISTRATION_URL_DAYS = 7
TOOL_CLAIM = "https://purl.imsglobal.org/spec/lti-tool-configuration"
PLATFORM_CLAIM = "https://purl.imsglobal.org/spec/lti-platform-configuration"


def registration_url(organization: Organization, actor: Actor) -> str:
    """A URL an LMS administrator pastes into the LMS's "register a tool" field. It names the organization
    and the member who made it (signed, valid a week); no row is written until an LMS uses it."""
    token = signing.dumps(
        {"o": organization.pk, "u": getattr(actor.user, "pk", None)}, salt=REGISTRATION_SALT, compress=True
    )
    return f"{settings.CREDSTACK_BASE_URL}/lti/register/{token}"


def _registration_actor(user_id) -> Actor:
    user = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    if user is None:
        return Actor.command_line("LTI dynamic registration")
    return Actor.for_user(user)


def _fetch_json(method: str, url: str, *, token: str = "", body: dict | None = None) -> dict:
    headers = {"Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if body is not None:
        headers["Content-Type"] = "application/json"
    try:
        response = httpclient.request(
            method,
            url,
            body=json.dumps(body).encode() if body is not None else None,
            headers=headers,
            policy=address_policy(),
            user_agent="credstack-lti",
        )
    except (httpclient.HTTPClientError, httpclient.BlockedTarget) as exc:
        error = blocked.reason(exc) if isinstance(exc, httpclient.BlockedTarget) else exc
        raise ValidationError(
            _("could not reach %(url)s: %(error)s") % {"url": url, "error": error}
        ) from None
    if not 200 <= response.status < 300:
        raise ValidationError(
            _("%(url)s answered %(status)s: %(body)s")
            % {"url": url, "status": response.status, "body": response.text()[:300]}
        )
    try:
        data = json.loads(response.body)
    except ValueError:
        raise ValidationError(_("%(url)s did not answer JSON") % {"url": url}) from None
    if not isinstance(data, dict):
        raise ValidationError(_("%(url)s did not answer a JSON object") % {"url": url})
    return data


def tool_registration_request(organization: Organization, platform_config: dict) -> dict:
    """The OpenID client registration credstack sends (LTI Dynamic Registration §3.5)."""
    base = settings.CREDSTACK_BASE_URL
    supported = {
        m.get("type") for m in (platform_config.get(PLATFORM_CLAIM) or {}).get("messages_supported") or []
    }
    messages = []
    if "LtiDeepLinkingRequest" in supported:
        messages.append(
            {
                "type": "LtiDeepLinkingRequest",
                "target_link_uri": f"{base}/lti/launch",
                "label": f"{organization.name} course (credstack)",
                "placements": ["ContentArea"],
                "supported_types": ["ltiResourceLink"],
            }
        )
    return {
        "application_type": "web",
        "response_types": ["id_token"],
        "grant_types": ["implicit", "client_credentials"],
        "initiate_login_uri": f"{base}/lti/login",
        "redirect_uris": [f"{base}/lti/launch"],
        "client_name": f"credstack — {organization.name}",
        "jwks_uri": f"{base}/lti/jwks",
        "token_endpoint_auth_method": "private_key_jwt",
        "scope": " ".join(
            [
                "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
                "https://purl.imsglobal.org/spec/lti-ags/scope/score",
            ]
        ),
        TOOL_CLAIM: {
            "domain": urlsplit(base).netloc,
            "target_link_uri": f"{base}/lti/launch",
            "description": "Courses that issue Open Badges 3.0 credentials",
            "claims": ["iss", "sub", "name", "given_name", "family_name", "email"],
            "messages": messages,
        },
    }


@transaction.atomic
def register_dynamically(token: str, config_url: str, registration_token: str) -> LtiPlatform:
    """LTI Dynamic Registration: read the platform's OpenID configuration, register with it, store it."""
    try:
        held = signing.loads(token, salt=REGISTRATION_SALT, max_age=REGISTRATION_URL_DAYS * 86400)
    except signing.BadSignature:
        raise ValidationError(
            _("this registration URL is not valid or has expired: make a new one on credstack's LTI page")
        ) from None
    organization = Organization.objects.filter(pk=held.get("o")).first()
    if organization is None:
        raise ValidationError(_("the organization of this registration URL no longer exists"))
    if not config_url:
        raise ValidationError(_("the LMS sent no openid_configuration URL"))
    config = _fetch_json("GET", config_url)
    issuer = config.get("issuer") or ""
    # the configuration must be served from the issuer's own host (Dynamic Registration §3.4)
    if not issuer or urlsplit(issuer).hostname != urlsplit(config_url).hostname:
        raise ValidationError(
            _("the configuration's issuer %(issuer)s is not the host that served it (%(url)s)")
            % {"issuer": repr(issuer), "url": config_url}
        )
    missing = [
        k
        for k in ("authorization_endpoint", "token_endpoint", "jwks_uri", "registration_endpoint")
        if not config.get(k)
    ]
    if missing:
        raise ValidationError(
            _("the platform's configuration lacks %(fields)s") % {"fields": ", ".join(missing)}
        )
    answer = _fetch_json(
        "POST",
        config["registration_endpoint"],
        token=registration_token,
        body=tool_registration_request(organization, config),
    )
    client_id = answer.get("client_id")
    deployment_id = (answer.get(TOOL_CLAIM) or {}).get("deployment_id")
    if not client_id:
        raise ValidationError(_("the platform's registration answer has no client_id"))
    if not deployment_id:
        raise ValidationError(
            _(
                "the platform registered client %(client_id)s but named no deployment id: register it "
                "on credstack's LTI page with the deployment id the LMS shows"
            )
            % {"client_id": client_id}
        )
    product = (config.get(PLATFORM_CLAIM) or {}).get("product_family_code") or urlsplit(issuer).hostname
    return register_platform(
        organization,
        name=f"{product} ({urlsplit(issuer).hostname})",
        issuer=issuer,
        client_id=client_id,
        deployment_ids=[deployment_id],
        auth_login_url=config["authorization_endpoint"],
        auth_token_url=config["token_endpoint"],
        key_set_url=config["jwks_uri"],
        auth_audience=config.get("authorization_server") or "",
        actor=_registration_actor(held.get("u")),
    )
