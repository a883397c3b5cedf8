"""Credentials carry their text in the issuing language (issue 17, decision 0056): a last ``@context`` entry
``{"@language": tag}``. They still pass 1EdTech's OB 3.0 JSON Schema, verify in credstack's own verifier
and in the independent (Digital Bazaar) one, and the signature covers the language: the canonical form
has language-tagged strings, and changing or dropping the tag breaks the proof."""

from __future__ import annotations

import copy

import pytest

from credstack.achievements.actions import create_achievement
from credstack.credentials.resolver import local_fetch
from credstack.organizations.actions import update_organization_settings
from credstack.organizations.actors import Actor
from credstack.vc import canon, ob3
from credstack.vc import verify as vc_verify

from ..vc.test_ob3_schema import assert_conforms
from .test_pipeline_interop import _verify

pytestmark = [pytest.mark.interop, pytest.mark.django_db]
CLI = Actor.command_line()


@pytest.fixture
def german(org):
    return create_achievement(
        organization=org,
        slug="python-grundlagen",
        name="Python-Grundlagen",
        description="Sechs Lektionen über Python.",
        criteria_narrative="Alle Quizze bestehen.",
        language="de",
    )


def test_the_achievement_language_tags_every_string(german, issue):
    doc = issue(achievement=german).signed()
    assert doc["@context"][-1] == {"@language": "de"}
    assert ob3.language_of(doc) == "de"
    # still plain strings, as the schema asks
    assert doc["credentialSubject"]["achievement"]["name"] == "Python-Grundlagen"
    assert_conforms(doc)
    unsigned = {k: v for k, v in doc.items() if k != "proof"}
    assert '"Python-Grundlagen"@de' in canon.canonicalize(unsigned)
    assert vc_verify.verify_credential(doc, fetch=local_fetch).status == "valid"


def test_the_organization_language_when_the_achievement_has_none(org, achievement, issue):
    update_organization_settings(org, {"language": "ar"}, None, CLI)
    doc = issue(achievement=achievement).signed()
    assert ob3.language_of(doc) == "ar"
    assert_conforms(doc)


def test_no_language_declared_without_one(issue):
    doc = issue().signed()
    assert ob3.language_of(doc) is None
    assert all(isinstance(c, str) for c in doc["@context"])


def test_the_signature_covers_the_language(german, issue):
    doc = issue(achievement=german).signed()
    changed = copy.deepcopy(doc)
    changed["@context"][-1] = {"@language": "en"}
    dropped = copy.deepcopy(doc)
    dropped["@context"].pop()
    for tampered in (changed, dropped):
        assert vc_verify.verify_credential(tampered, fetch=local_fetch).status == "invalid"


def test_independent_verifier_accepts_language_tagged_credentials(node_verifier, german, issue, org):
    result = _verify(node_verifier, issue(achievement=german))
    assert result["verified"] is True, result["errors"]
    update_organization_settings(org, {"language": "ar"}, None, CLI)
    arabic = create_achievement(
        organization=org,
        slug="arabic",
        name="أساسيات بايثون",
        description="ست دروس عن بايثون.",
        criteria_narrative="اجتياز كل الاختبارات.",
    )
    result = _verify(node_verifier, issue(achievement=arabic, name="أحمد الفارسي"))
    assert result["verified"] is True, result["errors"]
