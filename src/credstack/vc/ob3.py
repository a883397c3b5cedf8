"""Compose Open Badges 3.0 ``OpenBadgeCredential`` documents (unsigned; sign with :mod:`proofs`).

The shape follows the OB 3.0.3 data model and the terms its JSON-LD context defines, so every composed
credential canonicalizes in safe mode:

- ``issuer`` is an embedded ``Profile`` (id, name, url, email, image).
- The recipient is identified by a salted hash of their e-mail address (``IdentityObject``,
  ``identityHash = "sha256$" + hex(sha256(email.lower() + salt))``); their name is the subject's
  ``name`` (defined by the OB context, and what wallets such as the DCC Learner Credential Wallet show).
- Achievement tags are the OB property ``tag``; alignments are ``Alignment`` objects.

Issued credentials are validated against 1EdTech's OB 3.0 JSON Schema in ``tests/vc/test_ob3_schema.py``.
credstack issues one ``credentialStatus`` entry (suspension, decision 0032); a list of entries is still composed when given.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from credstack.vc import contexts, dates

CONTEXT = [contexts.VC_V2, contexts.OB_V3]
# BCP 47, as JSON-LD processors accept it (language, optional subtags of up to 8 letters or digits)
LANGUAGE_TAG = re.compile(r"[a-zA-Z]{2,8}(-[a-zA-Z0-9]{1,8})*")
CREDENTIAL_TYPE = ["VerifiableCredential", "OpenBadgeCredential"]

# OB 3.0 AchievementType vocabulary; other values must be extensions named "ext:...".
ACHIEVEMENT_TYPES = frozenset(
    {
        "Achievement",
        "ApprenticeshipCertificate",
        "Assessment",
        "Assignment",
        "AssociateDegree",
        "Award",
        "Badge",
        "BachelorDegree",
        "Certificate",
        "CertificateOfCompletion",
        "Certification",
        "CommunityService",
        "Competency",
        "Course",
        "CoCurricular",
        "Degree",
        "Diploma",
        "DoctoralDegree",
        "Fieldwork",
        "GeneralEducationDevelopment",
        "JourneymanCertificate",
        "LearningProgram",
        "License",
        "Membership",
        "ProfessionalDoctorate",
        "QualityAssuranceCredential",
        "MasterCertificate",
        "MasterDegree",
        "MicroCredential",
        "ResearchDoctorate",
        "SecondarySchoolDiploma",
    }
)

_ALIGNMENT_KEYS = {
    "name": "targetName",
    "url": "targetUrl",
    "framework": "targetFramework",
    "code": "targetCode",
    "description": "targetDescription",
    "type": "targetType",
}


def compose(
    issuer: Mapping[str, Any],
    achievement: Mapping[str, Any],
    recipient_email: str,
    recipient_name: str | None,
    credential_id: str,
    valid_from: datetime,
    valid_until: datetime | None = None,
    result: Any = None,
    evidence: Any = None,
    status_entries: list[dict[str, Any]] | None = None,
    salt: str | None = None,
    activity_start: datetime | None = None,
    activity_end: datetime | None = None,
    language: str | None = None,
) -> dict[str, Any]:
    """An unsigned OpenBadgeCredential.

    ``issuer``: ``id`` and ``name`` (required), ``url``, ``email``, ``image`` (URL). ``achievement``:
    ``id``, ``name``, ``description``, ``criteria`` (``{"narrative", "id"}`` or a narrative string),
    ``image``, ``achievement_type``, ``tags``, ``alignments`` (``{"name", "url", "framework"}`` or OB
    ``target*`` keys). ``result`` and ``evidence``: an OB ``Result`` / ``Evidence`` object, a list of
    them, or a plain value (a result value, an evidence URL). ``salt`` defaults to a random one.
    ``activity_start`` / ``activity_end``: when the learner did the work (``activityStartDate`` /
    ``activityEndDate`` of the AchievementSubject).
    ``language``: the BCP 47 tag of the language its text is written in (decision 0056): a last
    ``@context`` entry ``{"@language": tag}`` makes every plain string of the credential a string in
    that language, while each stays a plain JSON string as the Open Badges 3.0 JSON Schema requires.
    Empty optional values are left out. Raises ValueError for a missing or invalid field.
    """
    subject: dict[str, Any] = {
        "type": ["AchievementSubject"],
        "identifier": [identity_object(recipient_email, salt)],
    }
    if recipient_name:
        subject["name"] = recipient_name
    subject["achievement"] = _achievement(achievement)
    if result not in (None, "", []):
        subject["result"] = [_typed(r, "Result", "value") for r in _as_list(result)]
    if activity_start is not None:
        subject["activityStartDate"] = dates.format_datetime(activity_start)
    if activity_end is not None:
        subject["activityEndDate"] = dates.format_datetime(activity_end)

    context: list[Any] = list(CONTEXT)
    if language:
        context.append(language_context(language))
    credential: dict[str, Any] = {
        "@context": context,
        "id": _required(credential_id, "credential_id"),
        "type": list(CREDENTIAL_TYPE),
        "name": subject["achievement"]["name"],
        "issuer": _profile(issuer),
        "validFrom": dates.format_datetime(valid_from),
    }
    if valid_until is not None:
        credential["validUntil"] = dates.format_datetime(valid_until)
    credential["credentialSubject"] = subject
    if evidence not in (None, "", []):
        credential["evidence"] = [_typed(e, "Evidence", "id") for e in _as_list(evidence)]
    if status_entries:
        credential["credentialStatus"] = (
            status_entries[0] if len(status_entries) == 1 else list(status_entries)
        )
    return credential


def language_context(tag: str) -> dict[str, str]:
    """The inline context that declares the language of a credential's strings (JSON-LD default language)."""
    if not LANGUAGE_TAG.fullmatch(tag):
        raise ValueError(f"the language {tag!r} is not a BCP 47 language tag (like en, de or pt-BR)")
    return {"@language": tag}


def language_of(doc: Mapping[str, Any]) -> str | None:
    """The language a credential declares for its strings (``language_context``), or None."""
    found = None
    for entry in doc.get("@context") or []:
        if isinstance(entry, Mapping) and isinstance(entry.get("@language"), str):
            found = entry["@language"]
    return found


def identity_object(email: str, salt: str | None = None) -> dict[str, Any]:
    """A hashed ``emailAddress`` IdentityObject for ``email`` (compared case-insensitively)."""
    salt = secrets.token_hex(16) if salt is None else salt
    return {
        "type": "IdentityObject",
        "hashed": True,
        "identityHash": identity_hash(email, salt),
        "identityType": "emailAddress",
        "salt": salt,
    }


def identity_hash(email: str, salt: str) -> str:
    """``"sha256$" + hex(sha256(email.strip().lower() + salt))``, the OB 3.0 IdentityHash of an e-mail."""
    normalized = _required(email, "recipient_email").strip().lower()
    return "sha256$" + hashlib.sha256((normalized + salt).encode("utf-8")).hexdigest()


def _profile(issuer: Mapping[str, Any]) -> dict[str, Any]:
    profile = {
        "id": _required(issuer.get("id"), "issuer id"),
        "type": ["Profile"],
        "name": _required(issuer.get("name"), "issuer name"),
    }
    for key in ("url", "email"):
        if issuer.get(key):
            profile[key] = issuer[key]
    if issuer.get("image"):
        profile["image"] = _image(issuer["image"])
    return profile


def _achievement(achievement: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": _required(achievement.get("id"), "achievement id"),
        "type": ["Achievement"],
        "name": _required(achievement.get("name"), "achievement name"),
        "description": achievement.get("description") or "",
        "criteria": _criteria(achievement.get("criteria")),
    }
    if achievement.get("image"):
        out["image"] = _image(achievement["image"])
    achievement_type = achievement.get("achievement_type")
    if achievement_type:
        if achievement_type not in ACHIEVEMENT_TYPES and not str(achievement_type).startswith("ext:"):
            raise ValueError(
                f"achievement_type {achievement_type!r} is not an OB 3.0 AchievementType "
                "(or an extension named 'ext:...')"
            )
        out["achievementType"] = achievement_type
    tags = [t for t in achievement.get("tags") or [] if t]
    if tags:
        out["tag"] = tags
    alignments = [_alignment(a) for a in achievement.get("alignments") or []]
    if alignments:
        out["alignment"] = alignments
    return out


def _criteria(criteria: Any) -> dict[str, Any]:
    if isinstance(criteria, str):
        criteria = {"narrative": criteria}
    given: dict[str, Any] = {k: v for k, v in dict(criteria or {}).items() if v}
    if not given.get("narrative") and not given.get("id"):
        raise ValueError("achievement criteria need a narrative or an id (URL)")
    return given


def _alignment(alignment: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"type": ["Alignment"]}
    for key, value in alignment.items():
        if value not in (None, ""):
            out[_ALIGNMENT_KEYS.get(key, key)] = value
    if not out.get("targetName") or not out.get("targetUrl"):
        raise ValueError(f"an alignment needs a name and a url: {dict(alignment)!r}")
    return out


def _image(image: Any) -> dict[str, Any]:
    if isinstance(image, str):
        return {"id": image, "type": "Image"}
    return {"type": "Image", **image}


def _typed(value: Any, type_name: str, plain_key: str) -> dict[str, Any]:
    if isinstance(value, Mapping):
        return {"type": [type_name], **value}
    return {"type": [type_name], plain_key: str(value)}


def _as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, Iterable) and not isinstance(value, str | Mapping) else [value]


def _required(value: Any, name: str) -> Any:
    if not value:
        raise ValueError(f"{name} is required")
    return value


ENDORSEMENT_TYPE = ["VerifiableCredential", "EndorsementCredential"]


def compose_endorsement(
    *,
    endorsement_id: str,
    name: str,
    issuer: Mapping[str, Any],
    subject_id: str,
    comment: str,
    valid_from: datetime,
) -> dict[str, Any]:
    """An unsigned Open Badges 3.0 ``EndorsementCredential`` (OB 3.0 §B.1.9): ``issuer`` endorses what
    ``subject_id`` names (an achievement, a profile or a credential), with ``comment`` as its
    ``endorsementComment``."""
    return {
        "@context": list(CONTEXT),
        "id": _required(endorsement_id, "endorsement id"),
        "type": list(ENDORSEMENT_TYPE),
        "name": _required(name, "name"),
        "issuer": _profile(issuer),
        "validFrom": dates.format_datetime(valid_from),
        "credentialSubject": {
            "id": _required(subject_id, "subject id"),
            "type": ["EndorsementSubject"],
            "endorsementComment": _required(comment, "comment"),
        },
    }
