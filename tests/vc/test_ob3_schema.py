"""Open Badges 3.0 conformance: credentials issued through the pipeline, checked against 1EdTech's JSON
Schema for ``AchievementCredential`` (the VC 2.0 / ``validFrom`` form; copy and source in
``schemas/README.md``).

That schema is the strict JSON binding of the OB 3.0 data model: a ``[0..*]`` property must be an array
and a ``[0..1]`` property a single value. Since decision 0032 every credential credstack issues passes it
with zero errors: one ``credentialStatus`` object (suspension, which a revocation sets for good) and
``proof`` as a list of one. Credentials issued before 0032 (two status entries, a proof object) deviate
in those two places only, as the last tests pin.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from jsonschema import Draft201909Validator

from credstack.vc import ob3, status

from .helpers import VECTORS, load, typical_credential

SCHEMA_PATH = Path(__file__).parent / "schemas" / "ob_v3p0_achievementcredential_schema.json"
SCHEMA = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
VALIDATOR = Draft201909Validator(SCHEMA, format_checker=Draft201909Validator.FORMAT_CHECKER)
STATUS_VALIDATOR = Draft201909Validator(
    {**SCHEMA["$defs"]["CredentialStatus"], "$defs": SCHEMA["$defs"]},
    format_checker=Draft201909Validator.FORMAT_CHECKER,
)


def schema_errors(doc: dict, validator: Draft201909Validator = VALIDATOR) -> dict[str, list[str]]:
    """The schema's complaints about ``doc``, by JSON pointer of the offending value."""
    found: dict[str, list[str]] = {}
    for error in validator.iter_errors(doc):
        pointer = "/" + "/".join(str(part) for part in error.absolute_path)
        found.setdefault(pointer, []).append(error.message)
    return found


def json_binding_form(doc: dict) -> dict:
    """``doc`` with its one ``proof`` object wrapped in an array, the form the JSON binding asks for."""
    return {**doc, "proof": [doc["proof"]]} if isinstance(doc.get("proof"), dict) else doc


def assert_conforms(doc: dict) -> None:
    """Zero schema errors, one suspension status entry, the proof in a list."""
    assert schema_errors(doc) == {}
    assert doc["credentialStatus"]["statusPurpose"] == "suspension"
    assert isinstance(doc["proof"], list) and len(doc["proof"]) == 1


def assert_conforms_but_for_status_list(doc: dict) -> None:
    """Before decision 0032: two status entries, each a valid CredentialStatus, and nothing else."""
    doc = json_binding_form(doc)
    entries = doc["credentialStatus"]
    assert [e["statusPurpose"] for e in entries] == ["revocation", "suspension"]
    assert set(schema_errors(doc)) == {"/credentialStatus"}, schema_errors(doc)
    for entry in entries:
        assert schema_errors(entry, STATUS_VALIDATOR) == {}
    for entry in entries:  # either entry alone would satisfy the [0..1] of the data model
        assert schema_errors({**doc, "credentialStatus": entry}) == {}


# --- the schema and the validator ---------------------------------------------------------------------


def test_the_copied_schema_is_the_vc2_form_and_a_valid_2019_09_schema():
    Draft201909Validator.check_schema(SCHEMA)
    assert SCHEMA["$schema"] == "https://json-schema.org/draft/2019-09/schema#"
    assert SCHEMA["$id"].endswith("/ob_v3p0_achievementcredential_schema.json")
    assert "validFrom" in SCHEMA["required"] and "issuanceDate" not in SCHEMA["properties"]
    assert SCHEMA["properties"]["@context"]["items"][0] == {"enum": ["https://www.w3.org/ns/credentials/v2"]}


def test_the_validator_checks_date_time_formats():
    """Without a format checker ``format: date-time`` is ignored; this test fails if that ever happens."""
    doc = load(VECTORS / "1edtech-ob3" / "obv3p0" / "vector.json")["credential"]
    assert schema_errors({**doc, "validFrom": "1 January 2010"}) == {
        "/validFrom": ["'1 January 2010' is not a 'date-time'"]
    }


# --- control: 1EdTech's own example -------------------------------------------------------------------


def test_1edtech_example_credential_passes():
    vector = load(VECTORS / "1edtech-ob3" / "obv3p0" / "vector.json")
    assert schema_errors(vector["credential"]) == {}


def test_1edtech_signed_example_fails_only_because_its_proof_is_not_in_an_array():
    vector = load(VECTORS / "1edtech-ob3" / "obv3p0" / "vector.json")
    signed = {**vector["credential"], "proof": {**vector["proofConfig"], "proofValue": vector["proofValue"]}}
    assert list(schema_errors(signed)) == ["/proof"]
    assert schema_errors(json_binding_form(signed)) == {}


# --- the schema catches what it should -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "pointer"),
    [
        (lambda d: d.pop("validFrom"), "/"),
        (lambda d: d.update(type=["VerifiableCredential"]), "/type"),
        (lambda d: d["credentialSubject"]["achievement"].pop("criteria"), "/credentialSubject/achievement"),
        (
            lambda d: d["credentialSubject"]["identifier"][0].update(email="a@b.c"),
            "/credentialSubject/identifier/0",
        ),
        (
            lambda d: d["credentialSubject"].update(result=[{"type": ["Result"], "value": 92}]),
            "/credentialSubject/result/0/value",
        ),
        (
            lambda d: d["credentialSubject"]["achievement"]["image"].update(alt="badge"),
            "/credentialSubject/achievement/image",
        ),
    ],
    ids=[
        "no-validFrom",
        "no-badge-type",
        "no-criteria",
        "unknown-identity-field",
        "numeric-result",
        "image-extra",
    ],
)
def test_the_schema_rejects_broken_credentials(change, pointer):
    doc = typical_credential("did:web:academy.example", status_entries=[])
    assert schema_errors(doc) == {}
    change(doc)
    assert pointer in schema_errors(doc)


# --- credentials composed and issued by credstack ------------------------------------------------------


def test_a_composed_credential_with_one_status_entry_conforms_fully():
    doc = typical_credential(
        "did:web:academy.example",
        status_entries=[status.entry("https://academy.example/status/1/revocation", 7, "revocation")],
        valid_until=datetime(2027, 6, 1, tzinfo=UTC),
        result=[{"value": "92", "resultDescription": "https://academy.example/a/python-basics#score"}],
        evidence=[
            "https://academy.example/evidence/1",
            {"id": "https://academy.example/e/2", "name": "Essay"},
        ],
        activity_start=datetime(2025, 5, 1, 9, 0, tzinfo=UTC),
        activity_end=datetime(2025, 5, 30, 17, 0, tzinfo=UTC),
    )
    assert isinstance(doc["credentialStatus"], dict)
    assert schema_errors(doc) == {}


def test_the_composed_credential_with_both_status_entries_deviates_only_in_credential_status():
    doc = typical_credential("did:web:academy.example")
    assert isinstance(doc["credentialStatus"], list)
    assert_conforms_but_for_status_list(doc)


def test_a_plain_issued_credential_conforms(issue):
    assert_conforms(issue().signed())


def test_a_suspended_revoked_or_re_signed_credential_still_conforms(issue):
    from credstack.credentials import actions  # needs the database: the test's own import

    credential = issue()
    actions.change_expiry(credential, valid_until=datetime.now(UTC) + timedelta(days=90))
    credential.refresh_from_db()
    assert_conforms(credential.signed())
    actions.suspend_credential(credential, reason="review")
    actions.revoke_credential(credential, reason="fraud")
    credential.refresh_from_db()
    assert_conforms(credential.signed())


def test_credentials_issued_before_0032_deviate_only_in_the_status_list_and_proof_form():
    doc = typical_credential("did:web:academy.example")
    assert isinstance(doc["credentialStatus"], list)
    signed_form = {**doc, "proof": {"type": "DataIntegrityProof", "cryptosuite": "eddsa-rdfc-2022"}}
    assert set(schema_errors(signed_form)) == {"/credentialStatus", "/proof"}


@pytest.mark.parametrize(
    "recipient",
    ["Ada Lovelace", "李小龍", "Αδα Λάβλεϊς", "Зоя Космодемьянская", "محمد بن موسى الخوارزمي", "ধ্রুব সেন"],
)
def test_a_full_issued_credential_conforms(org, issue, recipient):
    from credstack.achievements.actions import create_achievement

    achievement = create_achievement(
        organization=org,
        slug="kanji-1",
        name="漢字検定 一級",
        description="Жёсткий экзамен: 6 000 знаков.",
        criteria_narrative="Αποτέλεσμα ≥ 80 %.",
        tags=["日本語", "язык"],
        alignments=[{"name": "読み書き", "url": "https://example.org/s/読み", "framework": "JLPT"}],
    )
    now = datetime.now(UTC)
    credential = issue(
        name=recipient,
        email="ada@example.org",
        achievement=achievement,
        valid_until=now + timedelta(days=400),
        result=[{"type": ["Result"], "value": "92"}, {"value": "A+"}],
        evidence=[
            {"id": "https://acme.example/evidence/1", "name": "論文", "narrative": "Écrit à la main."},
            {"id": "https://acme.example/evidence/2"},
        ],
        activity_start=now - timedelta(days=30),
        activity_end=now - timedelta(days=1),
    )
    doc = credential.signed()
    subject = doc["credentialSubject"]
    assert subject["name"] == recipient and doc["name"] == "漢字検定 一級"
    assert [r["value"] for r in subject["result"]] == ["92", "A+"]
    assert len(doc["evidence"]) == 2 and "validUntil" in doc
    assert_conforms(doc)


def test_ob3_compose_output_keys_are_the_schema_s_or_extensions():
    """Every property credstack writes on a credential, subject or achievement is one the schema names:
    nothing relies on ``additionalProperties`` (which a stricter validator may turn off)."""
    doc = typical_credential(
        "did:web:academy.example",
        valid_until=datetime(2027, 6, 1, tzinfo=UTC),
        result="92",
        evidence="https://academy.example/evidence/1",
        activity_start=datetime(2025, 5, 1, tzinfo=UTC),
        activity_end=datetime(2025, 5, 30, tzinfo=UTC),
    )
    defs = SCHEMA["$defs"]
    known = {
        "credential": set(SCHEMA["properties"]),
        "subject": set(defs["AchievementSubject"]["properties"]),
        "achievement": set(defs["Achievement"]["properties"]),
        "issuer": set(defs["Profile"]["properties"]),
    }
    written = {
        "credential": set(doc),
        "subject": set(doc["credentialSubject"]),
        "achievement": set(doc["credentialSubject"]["achievement"]),
        "issuer": set(doc["issuer"]),
    }
    # ``name`` on the subject is the one term outside the AchievementSubject class: defined by the OB 3.0.3
    # context (so it canonicalizes) and allowed by ``additionalProperties: true`` in this schema.
    assert {part: written[part] - known[part] for part in known} == {
        "credential": set(),
        "subject": {"name"},
        "achievement": set(),
        "issuer": set(),
    }
    assert SCHEMA["$defs"]["AchievementSubject"]["additionalProperties"] is True
    assert ob3.CREDENTIAL_TYPE == ["VerifiableCredential", "OpenBadgeCredential"]
