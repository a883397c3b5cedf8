"""The verification pipeline: published fixtures, status lists, validity, offline, reports."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from credstack.vc import did, keys, proofs, status, verify

from .helpers import (
    DCC,
    DCC_LIST_SIGNER,
    DCC_LISTS,
    NOW,
    VECTORS,
    dcc_documents,
    dcc_signer,
    did_key_vm,
    fetch_from,
    load,
    typical_credential,
)

# ---------------------------------------------------------------- DCC fixtures, as their names say

UNTRUSTED_SET = ("untrusted", True)
UNTRUSTED_CLEAR = ("untrusted", False)
DCC_VERDICTS = {
    # file: (report status, validity outcome, status check: None | (kind, bit))
    "legacyRegistry-noStatus-noExpiry-OBSpecExample.json": ("valid", "valid", None),
    "legacyRegistry-noStatus-noExpiry-achievementTypeExample.json": ("valid", "valid", None),
    "legacyRegistry-noStatus-noExpiry-alignments.json": ("valid", "valid", None),
    "legacyRegistry-noStatus-noExpiry-basicOBv3.json": ("valid", "valid", None),
    "legacyRegistry-noStatus-noExpiry-credName.json": ("valid", "valid", None),
    "legacyRegistry-noStatus-noExpiry-credSubjName.json": ("valid", "valid", None),
    "legacyRegistry-noStatus-noExpiry-identityHash.json": ("valid", "valid", None),
    "legacyRegistry-noStatus-noExpiry-minimal.json": ("valid", "valid", None),
    "legacyRegistry-noStatus-notExpired-withSchema.json": ("valid", "valid", None),
    # named "noExpiry" but its validUntil is 2010-01-02
    "noRegistry-revokedStatus-noExpiry.json": ("invalid", "expired", UNTRUSTED_SET),
    "noRegsitry-revokedStatus-notExpired.json": ("invalid", "valid", UNTRUSTED_SET),
    "oidf-noStatus-notExpired-complexIssuer.json": ("valid", "valid", None),
    "oidf-noStatus-notExpired-notYetValid.json": ("not-yet-valid", "not-yet-valid", None),
    "oidf-revokedStatus-noExpiry.json": ("invalid", "valid", UNTRUSTED_SET),
    "twoOIDF-revoked-notExpired-badSchema.json": ("invalid", "valid", UNTRUSTED_SET),
    "twoOIDF-validStatus-expired.json": ("invalid", "expired", UNTRUSTED_CLEAR),
    "legacy-revokedStatus-expired.json": ("invalid", "expired", UNTRUSTED_SET),
    "legacy-revokedStatus-noExpiry.json": ("invalid", "valid", UNTRUSTED_SET),
    "oidf-noStatus-notExpired.json": ("valid", "valid", None),
}


def checks_named(report: verify.Report, name: str) -> list[verify.Check]:
    return [c for c in report.checks if c.name == name]


def test_every_dcc_fixture_has_a_verdict():
    assert {p.name for p in (DCC / "verifiableCredentials").rglob("*.json")} == set(DCC_VERDICTS)


@pytest.mark.parametrize("name", sorted(DCC_VERDICTS))
def test_dcc_fixtures(name):
    expected_status, validity, status_check = DCC_VERDICTS[name]
    [path] = (DCC / "verifiableCredentials").rglob(name)
    report = verify.verify_credential(load(path), fetch=fetch_from(dcc_documents()), now=NOW)
    assert report.status == expected_status, report.to_dict()
    assert [c.ok for c in checks_named(report, "format") + checks_named(report, "proof")] == [True, True]
    assert checks_named(report, "validity")[0].outcome == validity
    [check] = checks_named(report, "status")
    if status_check is None:
        assert check.ok is True and "no credentialStatus" in check.message
    else:
        assert check.ok is False and check.message.startswith("untrusted status list")
        assert check.details["set"] is status_check[1] and check.details["trusted"] is False
        assert DCC_LIST_SIGNER in check.message


# ---------------------------------------------------------------- the same lists, trusted


def signed_by_list_signer(list_name: str, index: int, purpose: str = "revocation", **changes) -> dict:
    key = dcc_signer()
    did_, vm = did_key_vm(key)
    assert did_ == DCC_LIST_SIGNER
    doc = typical_credential(
        did_, status_entries=[status.entry(DCC_LISTS + list_name, index, purpose)], **changes
    )
    return proofs.sign(doc, key, vm)


@pytest.mark.parametrize(
    ("list_name", "index", "purpose", "expected", "words"),
    [
        ("e5WK8CbZ1GjycuPombrj", 8, "revocation", "revoked", "revoked: bit 8"),
        ("e5WK8CbZ1GjycuPombrj", 7, "revocation", "valid", "not revoked (bit 7"),
        ("e5WK8CbZ1GjycuPombrj", 8, "suspension", "invalid", "is not a suspension list"),
        ("expired", 8, "revocation", "invalid", "expired on 2021-01-09T15:20:02.183Z"),
        ("notYetValid", 8, "revocation", "invalid", "not valid until 3000-01-09T15:20:02.183Z"),
        ("missingBitStringType", 8, "revocation", "invalid", "is not a BitstringStatusListCredential"),
        ("tampered", 8, "revocation", "invalid", "signature does not match"),
        ("e5WK8CbZ1GjycuPombrj", 100_000, "revocation", "invalid", "outside the list"),
    ],
)
def test_dcc_lists_with_a_matching_issuer(list_name, index, purpose, expected, words):
    report = verify.verify_credential(
        signed_by_list_signer(list_name, index, purpose), fetch=fetch_from(dcc_documents()), now=NOW
    )
    assert report.status == expected, report.to_dict()
    [check] = checks_named(report, "status")
    assert words in check.message


# ---------------------------------------------------------------- our own issuance


class Deployment:
    """A did:web issuer with its DID document and one pair of status lists, served by a local fetch."""

    BASE = "http://127.0.0.1:8000"

    def __init__(self) -> None:
        self.key = keys.Ed25519Key.generate()
        self.did = did.did_web_for(self.BASE, "orgs/demo")
        self.vm = f"{self.did}#key-1"
        self.bits = {p: status.StatusBits() for p in status.PURPOSES}
        self.documents = {
            did.did_web_url(self.did): did.did_document(self.did, [("key-1", self.key.public_multibase)])
        }
        self.publish()

    def list_url(self, purpose: str) -> str:
        return f"{self.BASE}/status/1/{purpose}"

    def publish(self, valid_from: datetime = datetime(2025, 1, 1, tzinfo=UTC)) -> None:
        for purpose, bits in self.bits.items():
            unsigned = status.list_credential(
                self.list_url(purpose), self.did, purpose, bits.encode(), valid_from
            )
            self.documents[self.list_url(purpose)] = proofs.sign(unsigned, self.key, self.vm)

    def issue(self, index: int = 4242, **changes) -> dict:
        entries = [status.entry(self.list_url(p), index, p) for p in status.PURPOSES]
        return proofs.sign(typical_credential(self.did, status_entries=entries, **changes), self.key, self.vm)

    def verify(self, doc: dict, now: datetime = NOW) -> verify.Report:
        return verify.verify_credential(doc, fetch=fetch_from(self.documents), now=now)


@pytest.mark.parametrize(
    ("revoked", "suspended", "expected"),
    [(False, False, "valid"), (True, False, "revoked"), (False, True, "suspended"), (True, True, "revoked")],
)
def test_issued_credentials_follow_their_status_bits(revoked, suspended, expected):
    deployment = Deployment()
    credential = deployment.issue()
    deployment.bits["revocation"].set(4242, revoked)
    deployment.bits["suspension"].set(4242, suspended)
    deployment.publish()
    report = deployment.verify(credential)
    assert report.status == expected
    assert report.valid is (expected == "valid")
    assert [c.name for c in report.checks] == ["format", "proof", "validity", "status", "status"]


def test_precedence_invalid_over_revoked_over_expired():
    deployment = Deployment()
    deployment.bits["revocation"].set(4242, True)
    deployment.publish()
    expired = deployment.issue(valid_until=datetime(2025, 12, 1, tzinfo=UTC))
    assert deployment.verify(expired).status == "revoked"
    assert checks_named(deployment.verify(expired), "validity")[0].outcome == "expired"
    expired["name"] = "Changed"
    assert deployment.verify(expired).status == "invalid"


@pytest.mark.parametrize(
    ("valid_from", "valid_until", "expected"),
    [
        (datetime(2025, 1, 1, tzinfo=UTC), None, "valid"),
        (datetime(2025, 1, 1, tzinfo=UTC), datetime(2025, 12, 31, 23, 59, 59, tzinfo=UTC), "expired"),
        (datetime(2026, 1, 1, 0, 0, 1, tzinfo=UTC), None, "not-yet-valid"),
        (datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 1, 1, tzinfo=UTC), "valid"),
    ],
)
def test_validity_window(valid_from, valid_until, expected):
    deployment = Deployment()
    credential = deployment.issue(valid_from=valid_from, valid_until=valid_until)
    assert deployment.verify(credential).status == expected


def test_version_1_dates_are_checked():
    key = keys.Ed25519Key.generate()
    did_, vm = did_key_vm(key)
    doc = {
        "@context": ["https://www.w3.org/2018/credentials/v1", "https://w3id.org/security/data-integrity/v2"],
        "id": "urn:uuid:5b5a8a4e-1b39-4c1a-9d3c-0f6b8a0c9d11",
        "type": ["VerifiableCredential"],
        "issuer": did_,
        "issuanceDate": "2025-01-01T00:00:00Z",
        "expirationDate": "2025-06-01T00:00:00Z",
        "credentialSubject": {"id": "did:example:ebfeb1f712ebc6f1c276e12ec21"},
    }
    report = verify.verify_credential(proofs.sign(doc, key, vm), now=NOW)
    assert report.status == "expired" and checks_named(report, "proof")[0].ok


def test_status_list_2021_lists_of_version_1_credentials():
    key = keys.Ed25519Key.generate()
    did_, vm = did_key_vm(key)
    context = [
        "https://www.w3.org/2018/credentials/v1",
        "https://w3id.org/vc/status-list/2021/v1",
        "https://w3id.org/security/data-integrity/v2",
    ]
    url = "https://issuer.example/status/3"
    bits = status.StatusBits()
    bits.set(5, True)
    status_list = {
        "@context": context, "id": url, "type": ["VerifiableCredential", "StatusList2021Credential"],
        "issuer": did_, "issuanceDate": "2025-01-01T00:00:00Z",
        "credentialSubject": {"id": f"{url}#list", "type": "StatusList2021", "statusPurpose": "revocation",
                              "encodedList": bits.encode()[1:]},
    }  # fmt: skip
    documents = {url: proofs.sign(status_list, key, vm)}
    for index, expected in (("5", "revoked"), ("6", "valid")):
        credential = {
            "@context": context, "id": "urn:uuid:5b5a8a4e-1b39-4c1a-9d3c-0f6b8a0c9d11",
            "type": ["VerifiableCredential"], "issuer": did_, "issuanceDate": "2025-01-01T00:00:00Z",
            "credentialSubject": {"id": "did:example:ebfeb1f712ebc6f1c276e12ec21"},
            "credentialStatus": {"id": f"{url}#{index}", "type": "StatusList2021Entry",
                                 "statusPurpose": "revocation", "statusListIndex": index,
                                 "statusListCredential": url},
        }  # fmt: skip
        report = verify.verify_credential(
            proofs.sign(credential, key, vm), fetch=fetch_from(documents), now=NOW
        )
        assert report.status == expected, report.to_dict()


def test_a_controller_document_at_an_https_url():
    vector = load(VECTORS / "1edtech-ob3" / "obv3p0" / "vector.json")
    key = keys.Ed25519Key.from_private_bytes(bytes.fromhex(vector["privateKeyHex"])[:32])
    signed = proofs.sign(
        vector["credential"], key, vector["verificationMethod"], created=vector["proofConfig"]["created"]
    )
    issuer = vector["credential"]["issuer"]["id"]
    controller = {
        "id": issuer,
        "assertionMethod": [
            {
                "id": vector["verificationMethod"],
                "type": "Multikey",
                "controller": issuer,
                "publicKeyMultibase": vector["publicKeyMultibase"],
            }
        ],
    }
    assert verify.verify_credential(signed, fetch=fetch_from({issuer: controller}), now=NOW).status == "valid"


# ---------------------------------------------------------------- what cannot be checked is not "valid"


def test_offline_did_key_credential_without_status_is_valid():
    key = keys.Ed25519Key.generate()
    did_, vm = did_key_vm(key)
    report = verify.verify_credential(
        proofs.sign(typical_credential(did_, status_entries=[]), key, vm), now=NOW
    )
    assert report.status == "valid"


def test_offline_status_is_reported_as_not_checked():
    key = keys.Ed25519Key.generate()
    did_, vm = did_key_vm(key)
    report = verify.verify_credential(proofs.sign(typical_credential(did_), key, vm), now=NOW)
    assert report.status == "unverified" and not report.valid
    statuses = checks_named(report, "status")
    assert [c.ok for c in statuses] == [None, None]
    assert all("offline" in c.message for c in statuses)


def test_offline_did_web_signature_is_reported_as_not_checked():
    deployment = Deployment()
    report = verify.verify_credential(deployment.issue(), now=NOW)
    assert checks_named(report, "proof")[0].ok is None and report.status == "unverified"


def test_fetch_failures_are_not_checked_rather_than_valid():
    deployment = Deployment()
    credential = deployment.issue()
    del deployment.documents[deployment.list_url("suspension")]
    report = deployment.verify(credential)
    assert report.status == "unverified"
    [revocation, suspension] = checks_named(report, "status")
    assert revocation.ok is True and suspension.ok is None and "could not be fetched" in suspension.message


def test_unsupported_status_types_are_not_checked():
    key = keys.Ed25519Key.generate()
    did_, vm = did_key_vm(key)
    entry = {"id": "https://x.example/status#1", "type": "https://x.example/vocab#CustomStatus"}
    doc = typical_credential(did_, status_entries=[entry])
    report = verify.verify_credential(proofs.sign(doc, key, vm), fetch=fetch_from({}), now=NOW)
    assert report.status == "unverified"


# ---------------------------------------------------------------- proof and format problems


def test_the_issuer_must_control_the_signing_key(examples_context):
    report = verify.verify_credential(
        load(VECTORS / "w3c-vc-di-eddsa" / "eddsa-rdfc-2022" / "signedDataInt.json"), now=NOW
    )
    assert report.status == "invalid"
    assert (
        "not controlled by the issuer 'https://vc.example/issuers/5678'"
        in checks_named(report, "proof")[0].message
    )


def test_the_key_must_be_listed_for_assertion():
    deployment = Deployment()
    credential = deployment.issue()
    deployment.documents[did.did_web_url(deployment.did)]["assertionMethod"] = []
    report = deployment.verify(credential)
    assert report.status == "invalid" and "does not list the key" in checks_named(report, "proof")[0].message


def test_the_proof_purpose_must_be_assertion():
    key = keys.Ed25519Key.generate()
    did_, vm = did_key_vm(key)
    signed = proofs.sign(typical_credential(did_, status_entries=[]), key, vm, proof_purpose="authentication")
    report = verify.verify_credential(signed, now=NOW)
    assert report.status == "invalid" and "assertionMethod" in checks_named(report, "proof")[0].message


@pytest.mark.parametrize(
    ("doc", "words"),
    [
        ([1, 2], "JSON object"),
        ("{not json", "not JSON"),
        ('{"a": NaN}', "not JSON"),
        (b"x" * (1024 * 1024 + 1), "larger than"),
        ({"@context": ["https://example.org/ctx"], "type": "VerifiableCredential"}, "never fetched"),
        ({"@context": ["https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"]}, "first @context"),
        ({"@context": ["https://www.w3.org/ns/credentials/v2"], "type": "Thing"}, "VerifiableCredential"),
        ({"@context": ["https://www.w3.org/ns/credentials/v2"], "type": "VerifiableCredential"}, "no issuer"),
        (
            {
                "@context": ["https://www.w3.org/ns/credentials/v2"],
                "type": "VerifiableCredential",
                "issuer": "did:x:1",
                "credentialSubject": {"id": "did:x:2"},
            },
            "no proof",
        ),
    ],
)
def test_format_problems(doc, words):
    report = verify.verify_credential(doc, now=NOW)
    assert report.status == "invalid" and [c.name for c in report.checks] == ["format"]
    assert words in report.checks[0].message


def test_json_text_input_and_a_json_friendly_report():
    deployment = Deployment()
    text = json.dumps(deployment.issue())
    report = verify.verify_credential(text.encode(), fetch=fetch_from(deployment.documents), now=NOW)
    data = json.loads(json.dumps(report.to_dict()))
    assert (
        data["valid"] is True and data["status"] == "valid" and data["checked_at"] == "2026-01-01T00:00:00Z"
    )
    assert [c["name"] for c in data["checks"]] == ["format", "proof", "validity", "status", "status"]
    assert data["checks"][3]["details"] == {
        "purpose": "revocation",
        "index": "4242",
        "set": False,
        "statusListCredential": deployment.list_url("revocation"),
    }


def test_each_document_is_fetched_once():
    deployment = Deployment()
    calls: list[str] = []
    serve = fetch_from(deployment.documents)
    report = verify.verify_credential(
        deployment.issue(), fetch=lambda url: calls.append(url) or serve(url), now=NOW
    )
    assert report.valid and sorted(calls) == sorted(set(calls)) and len(calls) == 3


def test_naive_now_is_utc_and_now_defaults_to_the_present():
    deployment = Deployment()
    credential = deployment.issue(valid_until=datetime(2026, 1, 1, 12, tzinfo=UTC))
    assert deployment.verify(credential, now=datetime(2026, 1, 1, 11)).status == "valid"
    assert (
        verify.verify_credential(credential, fetch=fetch_from(deployment.documents)).checked_at.tzinfo is UTC
    )
