"""CLR 2.0 conformance: the portfolio export (``/me/export.zip`` → ``portfolio-clr.json``) checked against
1EdTech's JSON Schema for ``ClrCredential`` (copy and source in ``schemas/README.md``), and the OB 3.0
``EndorsementCredential`` schema, copied beside it.

The CLR schema copy is the JSON-LD adaptation (a single value is accepted where the data model allows
several), the one form found for CLR 2.0. It checks the credentials the CLR carries only as generic
``VerifiableCredential``s, so each is also checked against the OB 3.0 ``AchievementCredential`` schema
(strict JSON binding, ``test_ob3_schema``).

The ``EndorsementCredential`` schema is checked here to be the recorded file; the endorsements credstack
signs are validated against it in ``tests/endorsements/test_endorsements.py`` (decision 0053).
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import zipfile
from pathlib import Path

import pytest
from django.core import mail
from jsonschema import Draft201909Validator

from credstack.credentials import actions

from .test_ob3_schema import VALIDATOR as ACHIEVEMENT

SCHEMAS = Path(__file__).parent / "schemas"
CLR_PATH = SCHEMAS / "clr_v2p0_clrcredential_schema.json"
ENDORSEMENT_PATH = SCHEMAS / "ob_v3p0_endorsementcredential_schema.json"
CLR_SCHEMA = json.loads(CLR_PATH.read_text(encoding="utf-8"))
CLR = Draft201909Validator(CLR_SCHEMA, format_checker=Draft201909Validator.FORMAT_CHECKER)
ENDORSEMENT_SCHEMA = json.loads(ENDORSEMENT_PATH.read_text(encoding="utf-8"))
ENDORSEMENT = Draft201909Validator(ENDORSEMENT_SCHEMA, format_checker=Draft201909Validator.FORMAT_CHECKER)


def errors(validator: Draft201909Validator, doc: dict) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for error in validator.iter_errors(doc):
        found.setdefault("/" + "/".join(map(str, error.absolute_path)), []).append(error.message)
    return found


def test_the_copies_are_the_recorded_files_and_valid_2019_09_schemas():
    for path, digest in [
        (CLR_PATH, "59d778659204b0bd593e9e2ab1683fb6f688e339885c44019f606ed6feb4caee"),
        (ENDORSEMENT_PATH, "786b1190ea97e7e339d8057f02414603c0e2b8b1cbe46fd72165c73f39a256c6"),
    ]:
        assert hashlib.sha256(path.read_bytes()).hexdigest() == digest, path.name
    Draft201909Validator.check_schema(CLR_SCHEMA)
    Draft201909Validator.check_schema(ENDORSEMENT_SCHEMA)
    assert CLR_SCHEMA["$id"].endswith("/clr/v2p0/schema/json/clr_v2p0_clrcredential_schema.json")
    assert ENDORSEMENT_SCHEMA["$id"].endswith(
        "/ob/v3p0/schema/json/ob_v3p0_endorsementcredential_schema.json"
    )


def _export(client, email="ada@example.org") -> dict:
    mail.outbox.clear()
    assert client.post("/me/login", {"email": email}).status_code == 302
    code = re.search(r"\b(\d{6})\b", mail.outbox[-1].subject).group(1)
    assert client.post("/me/login/code", {"code": code}).status_code == 302
    archive = zipfile.ZipFile(io.BytesIO(client.get("/me/export.zip").content))
    return json.loads(archive.read("portfolio-clr.json"))


@pytest.mark.django_db
def test_the_portfolio_clr_has_zero_schema_errors(client, issue, org, achievement):
    """Every kind of credential in it: plain, with results and evidence, re-signed after an expiry
    change, suspended, revoked (the CLR carries them as issued)."""
    from datetime import timedelta  # only this test changes an expiry

    from django.utils import timezone  # only this test changes an expiry

    from credstack.achievements.actions import create_achievement  # a second achievement

    other = create_achievement(
        organization=org, slug="sql", name="SQL", description="Joins.", criteria_narrative="Pass."
    )
    plain = issue()
    issue(achievement=other, evidence=[{"id": "https://acme.example/e/1", "name": "Project"}])
    actions.change_expiry(plain, valid_until=timezone.now() + timedelta(days=30))
    third = create_achievement(
        organization=org, slug="git", name="Git", description="d", criteria_narrative="c"
    )
    fourth = create_achievement(
        organization=org, slug="css", name="CSS", description="d", criteria_narrative="c"
    )
    actions.suspend_credential(issue(achievement=third), reason="review")
    actions.revoke_credential(issue(achievement=fourth), reason="error")
    clr = _export(client)
    inner = clr["credentialSubject"]["verifiableCredential"]
    assert len(inner) == 4
    assert errors(CLR, clr) == {}
    for credential in inner:
        assert errors(ACHIEVEMENT, credential) == {}


@pytest.mark.django_db
def test_the_schema_sees_a_broken_clr(client, issue):
    issue()
    clr = _export(client)
    broken = {**clr, "credentialSubject": {**clr["credentialSubject"], "type": ["AchievementSubject"]}}
    assert "/credentialSubject/type" in errors(CLR, broken)
    inner = clr["credentialSubject"]["verifiableCredential"][0]
    bad_inner = {k: v for k, v in inner.items() if k != "validFrom"}
    broken = {**clr, "credentialSubject": {**clr["credentialSubject"], "verifiableCredential": [bad_inner]}}
    assert "/credentialSubject/verifiableCredential" in errors(CLR, broken)
    assert errors(CLR, {k: v for k, v in clr.items() if k != "name"}) == {
        "/": ["'name' is a required property"]
    }
