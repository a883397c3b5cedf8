"""A leaked signing key (decision 0054): a new key signs, the old one leaves the DID document, and every
credential it signed is signed again by the new one, in batches, resumable, audited; checked by
credstack's verifier and by Digital Bazaar's."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from credstack.credentials import actions
from credstack.credentials.models import Credential, StatusList
from credstack.credentials.resolver import local_fetch
from credstack.organizations.models import AuditEntry, SigningKey
from credstack.vc import verify as vc_verify
from tests.unchanged import changes_nothing

pytestmark = pytest.mark.django_db


def _method(document: dict) -> str:
    proof = document["proof"]
    return (proof[0] if isinstance(proof, list) else proof)["verificationMethod"]


def _documents(doc: dict) -> dict:
    documents = {doc["issuer"]["id"]: local_fetch(doc["issuer"]["id"])}
    entry = doc["credentialStatus"]
    documents[entry["statusListCredential"]] = local_fetch(entry["statusListCredential"])
    return documents


def _report(doc: dict):
    return vc_verify.verify_credential(doc, fetch=local_fetch)


def test_compromised_key_re_signs_everything_it_signed(org, issue, django_capture_on_commit_callbacks):
    creds = [issue(name=f"Learner {i}", email=f"l{i}@example.org") for i in range(5)]
    actions.revoke_credential(creds[0], reason="mistake")
    old_key = SigningKey.objects.get(organization=org, active=True)
    before = {c.public_id: Credential.objects.get(pk=c.pk).signed() for c in creds}
    assert {_method(d) for d in before.values()} == {old_key.verification_method}
    assert _report(before[creds[1].public_id]).status == "valid"

    with django_capture_on_commit_callbacks(execute=True):
        new_key = actions.rotate_compromised_key(org, reason="the key file was in a public repository")

    old_key.refresh_from_db()
    assert old_key.compromised_at and old_key.resigned_at and not old_key.active
    did = local_fetch(org.did)
    methods = [m["id"] for m in did["verificationMethod"]]
    assert old_key.verification_method not in methods and new_key.verification_method in methods
    assert old_key.verification_method not in did["assertionMethod"]
    # every credential signed again, same id and status entry, the new key's proof
    client = Client()
    for c in creds:
        served = client.get(f"/c/{c.public_id}.json").json()
        old = before[c.public_id]
        assert _method(served) == new_key.verification_method
        assert {k: v for k, v in served.items() if k != "proof"} == {
            k: v for k, v in old.items() if k != "proof"
        }
    # the old signature no longer verifies against the DID document; the new one does
    stale = _report(before[creds[1].public_id])
    assert stale.status != "valid"
    assert _report(Credential.objects.get(pk=creds[1].pk).signed()).status == "valid"
    # a revoked one stays not valid (its one status entry, decision 0032), now under the new key
    assert _report(Credential.objects.get(pk=creds[0].pk).signed()).status == "suspended"
    # the status lists too
    for row in StatusList.objects.filter(organization=org):
        for purpose in StatusList.PURPOSES:
            assert _method(json.loads(getattr(row, f"{purpose}_document"))) == new_key.verification_method
    actions_logged = list(AuditEntry.objects.filter(organization=org).values_list("action", flat=True))
    assert "organization.key_compromised" in actions_logged
    assert actions_logged.count("credential.resigned") == 5
    assert "credential.resign_finished" in actions_logged


def test_re_signing_resumes_where_it_stopped(org, issue):
    creds = [issue(name=f"Learner {i}", email=f"l{i}@example.org") for i in range(5)]
    old_key = SigningKey.objects.get(organization=org, active=True)
    # without running the queued work: the task "dies" after one batch of two
    actions.rotate_compromised_key(org, reason="laptop stolen")
    old_key.refresh_from_db()
    assert actions.resign_batch(old_key, size=2) == 2
    still = [c for c in creds if old_key.verification_method in Credential.objects.get(pk=c.pk).document]
    assert len(still) == 3
    assert old_key.resigned_at is None
    # the periodic job finishes it, and running it again does nothing
    assert actions.resume_resigning() == 3
    assert actions.resume_resigning() == 0
    assert not Credential.objects.filter(document__contains=old_key.verification_method).exists()
    old_key.refresh_from_db()
    assert old_key.resigned_at is not None


def test_a_reason_is_required_and_a_refusal_changes_nothing(org):
    with changes_nothing(), pytest.raises(ValidationError):
        actions.rotate_compromised_key(org, reason="  ")


def test_command_line(org, issue, capsys, django_capture_on_commit_callbacks):
    from credstack.cli import main  # the command line entry point, as an operator runs it

    issue()
    with django_capture_on_commit_callbacks(execute=True):
        assert main(["keys", "compromised", "--org", org.slug, "--reason", "leaked in a log"]) == 0
    assert "left the DID document" in capsys.readouterr().out
    assert (
        SigningKey.objects.filter(
            organization=org, compromised_at__isnull=False, resigned_at__isnull=False
        ).count()
        == 1
    )


@pytest.mark.interop
def test_independent_verifier_after_a_compromise(
    org, issue, node_verifier, django_capture_on_commit_callbacks
):
    credential = issue()
    before = Credential.objects.get(pk=credential.pk).signed()
    assert node_verifier.verify(before, _documents(before), check_status=True)["verified"] is True
    with django_capture_on_commit_callbacks(execute=True):
        actions.rotate_compromised_key(org, reason="leaked")
    after = Credential.objects.get(pk=credential.pk).signed()
    # the old copy, against the DID document as served now: refused
    assert node_verifier.verify(before, _documents(after), check_status=True)["verified"] is False
    result = node_verifier.verify(after, _documents(after), check_status=True)
    assert result["verified"] is True, result
