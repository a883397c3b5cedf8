"""Composing OpenBadgeCredentials."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import pytest

from credstack.vc import canon, ob3, status

from .helpers import typical_credential

ISSUER = "did:web:academy.example"


def test_a_typical_credential_has_the_open_badges_shape():
    doc = typical_credential(ISSUER, valid_until=datetime(2027, 6, 1, 12, 0, 0, 999, tzinfo=UTC))
    assert doc["@context"] == [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
    ]
    assert doc["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert doc["name"] == "Python Basics"
    assert doc["issuer"] == {
        "id": ISSUER,
        "type": ["Profile"],
        "name": "Demo Academy",
        "url": "https://academy.example",
        "email": "certs@academy.example",
        "image": {"id": "https://academy.example/logo.png", "type": "Image"},
    }
    assert (doc["validFrom"], doc["validUntil"]) == ("2025-06-01T12:00:00Z", "2027-06-01T12:00:00Z")
    subject = doc["credentialSubject"]
    assert subject["type"] == ["AchievementSubject"] and subject["name"] == "Ada Lovelace"
    assert subject["identifier"] == [
        {
            "type": "IdentityObject",
            "hashed": True,
            "identityType": "emailAddress",
            "salt": "5f1c2d3e4b5a6978",
            "identityHash": "sha256$" + hashlib.sha256(b"ada@example.org5f1c2d3e4b5a6978").hexdigest(),
        }
    ]
    achievement = subject["achievement"]
    assert achievement["type"] == ["Achievement"] and achievement["achievementType"] == "Course"
    assert achievement["criteria"] == {
        "narrative": "Pass the quiz after every lesson.",
        "id": "https://academy.example/a/python-basics#criteria",
    }
    assert achievement["image"] == {"id": "https://academy.example/a/python-basics.png", "type": "Image"}
    assert achievement["tag"] == ["python", "programming"]
    assert achievement["alignment"] == [
        {
            "type": ["Alignment"],
            "targetName": "Programming",
            "targetUrl": "https://example.org/skills/programming",
            "targetFramework": "Example Skills",
        },
        {"type": ["Alignment"], "targetName": "Python", "targetUrl": "https://example.org/skills/python"},
    ]
    assert [e["statusPurpose"] for e in doc["credentialStatus"]] == ["revocation", "suspension"]
    assert "ada@example.org" not in str(doc).lower()


def test_every_composed_credential_canonicalizes_in_safe_mode():
    full = typical_credential(
        ISSUER,
        valid_until=datetime(2030, 1, 1, tzinfo=UTC),
        result=[{"value": "92", "status": "Completed"}, "A"],
        evidence=[
            "https://academy.example/e/1",
            {
                "id": "https://academy.example/e/2",
                "name": "Quiz answers",
                "narrative": "All six quizzes.",
                "genre": "Quiz",
            },
        ],
    )
    minimal = ob3.compose(
        issuer={"id": ISSUER, "name": "X"},
        achievement={
            "id": "urn:uuid:0b1d2b5e-4c4f-4c8e-9d9a-0f6b8a0c9d11",
            "name": "A",
            "criteria": "Do it.",
        },
        recipient_email="a@example.org",
        recipient_name=None,
        credential_id="urn:uuid:5b5a8a4e-1b39-4c1a-9d3c-0f6b8a0c9d11",
        valid_from=datetime(2025, 1, 1, tzinfo=UTC),
    )
    for doc in (full, minimal, typical_credential(ISSUER, status_entries=[])):
        assert canon.canonicalize(doc)
    assert full["credentialSubject"]["result"] == [
        {"type": ["Result"], "value": "92", "status": "Completed"},
        {"type": ["Result"], "value": "A"},
    ]
    assert full["evidence"][0] == {"type": ["Evidence"], "id": "https://academy.example/e/1"}
    assert "name" not in minimal["credentialSubject"] and "credentialStatus" not in minimal


def test_one_status_entry_is_an_object_and_empty_fields_are_left_out():
    entry = status.entry("https://academy.example/status/1/revocation", 7, "revocation")
    doc = typical_credential(
        ISSUER,
        status_entries=[entry],
        issuer={"id": ISSUER, "name": "Demo", "url": "", "email": None, "image": None},
    )
    assert doc["credentialStatus"] == entry
    assert doc["issuer"] == {"id": ISSUER, "type": ["Profile"], "name": "Demo"}


def test_the_salt_is_random_by_default_and_email_case_is_ignored():
    a, b = ob3.identity_object("Ada@Example.org "), ob3.identity_object("ada@example.org")
    assert a["salt"] != b["salt"] and len(a["salt"]) == 32
    assert ob3.identity_hash("Ada@Example.org ", "s") == ob3.identity_hash("ada@example.org", "s")


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("achievement", {"id": "urn:a", "name": "A", "criteria": {}}, "criteria"),
        ("achievement", {"id": "urn:a", "criteria": "x"}, "achievement name"),
        (
            "achievement",
            {"id": "urn:a", "name": "A", "criteria": "x", "achievement_type": "Trophy"},
            "AchievementType",
        ),
        (
            "achievement",
            {"id": "urn:a", "name": "A", "criteria": "x", "alignments": [{"name": "n"}]},
            "alignment",
        ),
        ("issuer", {"name": "No id"}, "issuer id"),
        ("recipient_email", "", "recipient_email"),
        ("credential_id", None, "credential_id"),
    ],
)
def test_missing_or_invalid_fields_are_refused(field, value, words):
    with pytest.raises(ValueError, match=words):
        typical_credential(ISSUER, **{field: value})


def test_extension_achievement_types_are_allowed():
    doc = typical_credential(
        ISSUER, achievement={"id": "urn:a", "name": "A", "criteria": "x", "achievement_type": "ext:Workshop"}
    )
    assert doc["credentialSubject"]["achievement"]["achievementType"] == "ext:Workshop"
    assert canon.canonicalize(doc)
