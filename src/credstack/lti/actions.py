"""LTI 1.3: registering a platform, handling a launch, sending the grade back."""

from __future__ import annotations

import hashlib
import json
import logging
import secrets
import time

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from pylti1p3.assignments_grades import AssignmentsGradesService
from pylti1p3.exception import LtiException, LtiServiceException
from pylti1p3.grade import Grade
from pylti1p3.lineitem import LineItem
from pylti1p3.service_connector import ServiceConnector

from credstack.organizations.models import Organization
from credstack.organizations.sealing import seal

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
) -> LtiPlatform:
    """Register an LMS; credstack makes the tool's RSA key pair (the private half sealed at rest)."""
    if not key_set_url and not key_set:
        raise ValidationError({"key_set_url": "give the platform's JWKS URL (or its key set)"})
    if not deployment_ids:
        raise ValidationError({"deployment_ids": "at least one deployment id"})
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
    return platform


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
    service = AssignmentsGradesService(ServiceConnector(registration), target.ags)
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
