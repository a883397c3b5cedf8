"""Credentials from credstack's issuance pipeline (database, keys, status lists) in the independent verifier."""

from __future__ import annotations

import pytest

from credstack.credentials import actions
from credstack.credentials.models import Credential
from credstack.credentials.resolver import local_fetch
from credstack.organizations.actions import rotate_key

pytestmark = [pytest.mark.interop, pytest.mark.django_db]


def _documents(credential: Credential) -> dict:
    """What a verifier on the internet would fetch: the DID document and the status lists, as served."""
    doc = credential.signed()
    documents = {credential.organization.did: local_fetch(credential.organization.did)}
    entries = doc["credentialStatus"]
    for entry in entries if isinstance(entries, list) else [entries]:
        documents[entry["statusListCredential"]] = local_fetch(entry["statusListCredential"])
    return documents


def _verify(node_verifier, credential: Credential) -> dict:
    credential.refresh_from_db()
    return node_verifier.verify(credential.signed(), _documents(credential), check_status=True)


@pytest.mark.parametrize(
    "name",
    [
        "Ada Lovelace",
        "أحمد الفارسي",
        "李小龙",
        "प्रिया शर्मा",
        "שָׁלוֹם עֲלֵיכֶם",
        "Ольга Петрова",
        'Zoë "Zed" O\'Brien 🎓',
    ],
)
def test_issued_credentials_verify(node_verifier, issue, name):
    result = _verify(node_verifier, issue(name=name))
    assert result["verified"] is True, result["errors"]
    assert result["revoked"] is False and result["suspended"] is False


def test_revoked_suspended_reinstated(node_verifier, issue):
    revoked, suspended = issue(), issue(email="s@example.org")
    actions.revoke_credential(revoked, reason="issued in error")
    actions.suspend_credential(suspended, reason="review")
    # one suspension entry (decision 0032): a revocation sets that bit for good; not valid either way
    result = _verify(node_verifier, revoked)
    assert result["valid"] is False and result["suspended"] is True
    result = _verify(node_verifier, suspended)
    assert result["valid"] is False and result["suspended"] is True and result["revoked"] is False
    actions.reinstate_credential(suspended)
    assert _verify(node_verifier, suspended)["suspended"] is False


def test_old_credentials_verify_after_key_rotation(node_verifier, issue, org):
    before = issue()
    rotate_key(org)
    after = issue(email="after@example.org")
    for credential in (before, after):
        result = _verify(node_verifier, credential)
        assert result["verified"] is True, result["errors"]


def test_tampered_pipeline_credential_is_rejected(node_verifier, issue):
    credential = issue()
    doc = credential.signed()
    doc["credentialSubject"]["achievement"]["name"] = "Brain Surgery"
    result = node_verifier.verify(doc, _documents(credential), check_status=True)
    assert result["verified"] is False


def test_status_list_credentials_verify_on_their_own(node_verifier, issue):
    """Each list credential the signer publishes, fresh and re-signed after a change, is a credential the
    independent verifier accepts by itself."""
    credential = issue()
    actions.suspend_credential(credential, reason="review")
    assert credential.signed()["credentialStatus"]["statusPurpose"] == "suspension"
    for purpose in ("revocation", "suspension"):  # both lists are published and signed
        url = credential.status_list.url(purpose)
        status_list = local_fetch(url)
        assert status_list["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
        org = credential.organization
        result = node_verifier.verify(status_list, {org.did: local_fetch(org.did)}, check_status=False)
        assert result["verified"] is True, result["errors"]


def test_a_batch_verifies_in_the_independent_verifier(node_verifier, achievement):
    """A batch signed at once (one key, one ``created``, slots reserved together): a sample of it."""
    batch = [
        actions.IssueRequest(
            achievement=achievement, recipient_name=name, recipient_email=f"b{n}@example.org"
        )
        for n, name in enumerate(["Ada Lovelace", "أحمد الفارسي", "李小龙", "Ольга Петрова"] * 10)
    ]
    results = actions.issue_credentials(batch)
    assert len({r.credential.status_index for r in results}) == 40
    for result in results[::9]:
        verified = _verify(node_verifier, result.credential)
        assert verified["verified"] is True, verified["errors"]
        assert verified["revoked"] is False and verified["suspended"] is False
