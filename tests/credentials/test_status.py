"""Revoke, suspend, reinstate: the status list says so, and verifiers see it."""

from __future__ import annotations

import pytest

from credstack.credentials import actions
from credstack.credentials.models import Credential
from credstack.credentials.resolver import local_fetch
from credstack.vc import status as vc_status
from credstack.vc import verify as vc_verify

pytestmark = pytest.mark.django_db(transaction=True)


def _bit(credential: Credential, purpose: str) -> bool:
    # new credentials name one entry (decision 0032); both lists share the credential's index
    entry = {
        "statusListCredential": credential.status_list.url(purpose),
        "statusListIndex": str(credential.status_index),
    }
    status_list = local_fetch(entry["statusListCredential"])
    assert vc_verify.verify_credential(status_list, fetch=local_fetch).checks[0].ok
    bits = vc_status.StatusBits.decode(status_list["credentialSubject"]["encodedList"])
    return bits.get(int(entry["statusListIndex"]))


def _status(credential: Credential) -> str:
    return vc_verify.verify_credential(credential.signed(), fetch=local_fetch).status


def test_revoke_sets_the_bit_and_verifiers_report_revoked(issue):
    credential, other = issue(), issue(email="other@example.org")
    actions.revoke_credential(credential, reason="Issued in error")
    credential.refresh_from_db()
    assert credential.state == "revoked"
    assert credential.revocation_reason == "Issued in error"
    assert credential.revoked_at is not None
    assert _bit(credential, "revocation") is True
    # its one status entry is the suspension bit, set for good: every verifier refuses it
    assert _bit(credential, "suspension") is True
    assert _status(credential) == "suspended"
    assert _bit(other, "revocation") is False
    assert _status(other) == "valid"
    assert list(credential.events.values_list("kind", flat=True)) == ["issued", "delivered", "revoked"]


def test_suspend_and_reinstate(issue):
    credential = issue()
    actions.suspend_credential(credential, reason="Under review")
    assert _bit(credential, "suspension") is True
    assert _status(credential) == "suspended"
    actions.reinstate_credential(credential)
    credential.refresh_from_db()
    assert credential.state == "active"
    assert _bit(credential, "suspension") is False
    assert _status(credential) == "valid"


def test_revocation_is_final(issue):
    credential = issue()
    actions.revoke_credential(credential, reason="fraud")
    with pytest.raises(actions.CredentialStateError, match="is revoked"):
        actions.reinstate_credential(credential)
    with pytest.raises(actions.CredentialStateError, match="is revoked"):
        actions.suspend_credential(credential)
    with pytest.raises(actions.CredentialStateError, match="is revoked"):
        actions.revoke_credential(credential, reason="again")


def test_reinstate_needs_a_suspended_credential(issue):
    with pytest.raises(actions.CredentialStateError, match="is active"):
        actions.reinstate_credential(issue())
