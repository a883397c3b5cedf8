"""One signer: every document the platform signs goes through credstack.organizations.signing, which
verifies what it signed with the published public key before anything is stored or served."""

from __future__ import annotations

import ast
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from credstack.credentials import actions
from credstack.credentials.models import Credential, StatusList
from credstack.organizations import signing
from credstack.organizations.actions import active_key
from credstack.organizations.actors import SYSTEM
from credstack.organizations.models import SigningKey, seal_context
from credstack.organizations.sealing import seal
from credstack.vc import keys as vc_keys
from credstack.vc import proofs

pytestmark = pytest.mark.django_db

SRC = Path(__file__).resolve().parents[2] / "src" / "credstack"
SIGNER = SRC / "organizations" / "signing.py"
# credstack.vc.jose.compact: where jose.sign is defined (the package re-exports it)
SIGNING_MODULES = {"credstack.vc.proofs", "credstack.vc.jose", "credstack.vc.jose.compact"}


def _signing_calls(path: Path) -> list[str]:
    """Where ``path`` calls ``sign`` of credstack.vc.proofs / credstack.vc.jose, however it imports it."""
    return [f"{path.name}:{line}" for line in _calls(path.read_text(encoding="utf-8"))]


def _calls(source: str) -> list[str]:
    tree = ast.parse(source)
    modules: set[str] = set()  # local names bound to a signing module
    functions: set[str] = set()  # local names bound to a signing module's sign()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name in SIGNING_MODULES and alias.asname:
                    modules.add(alias.asname)
        elif isinstance(node, ast.ImportFrom) and node.module:
            for alias in node.names:
                if f"{node.module}.{alias.name}" in SIGNING_MODULES:
                    modules.add(alias.asname or alias.name)
                elif node.module in SIGNING_MODULES and alias.name == "sign":
                    functions.add(alias.asname or alias.name)
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr == "sign":
            target = ast.unparse(func.value)
            if target in modules or target.removeprefix("credstack.vc.") in {"proofs", "jose"}:
                found.append((node.lineno, f"{node.lineno}: {ast.unparse(func)}("))
        elif isinstance(func, ast.Name) and func.id in functions:
            found.append((node.lineno, f"{node.lineno}: {func.id}("))
    return [text for _, text in sorted(found)]


def test_only_the_signer_signs():
    calls = {
        str(path.relative_to(SRC.parent)): _signing_calls(path)
        for path in SRC.rglob("*.py")
        if SRC / "vc" not in path.parents
    }
    outside = [
        c for path, found in calls.items() if path != "credstack/organizations/signing.py" for c in found
    ]
    assert outside == [], "sign through credstack.organizations.signing, which verifies what it signs"
    assert calls["credstack/organizations/signing.py"], "the signer itself signs with credstack.vc.proofs"


def test_the_scan_sees_every_way_of_calling_sign():
    source = (
        "from credstack.vc import proofs\nfrom credstack.vc import jose as j\n"
        "from credstack.vc.proofs import sign as s\nimport credstack.vc.proofs\n"
        "proofs.sign(d, k, vm)\nj.sign(d, k, None, 'EdDSA')\ns(d, k, vm)\ncredstack.vc.proofs.sign(d, k, vm)\n"
        "other.sign(d)\nkey.sign(data)\n"
        "from credstack.vc.jose import compact\nfrom credstack.vc.jose.compact import sign as js\n"
        "compact.sign(d, k, None, 'EdDSA')\njs(d, k, None, 'EdDSA')\n"
    )
    assert _calls(source) == [
        "5: proofs.sign(",
        "6: j.sign(",
        "7: s(",
        "8: credstack.vc.proofs.sign(",
        "13: compact.sign(",
        "14: js(",
    ]


def publish_the_wrong_public_key(**owner) -> None:
    """The row's published public key no longer matches its sealed private key."""
    SigningKey.objects.filter(active=True, **owner).update(
        public_multibase=vc_keys.Ed25519Key.generate().public_multibase
    )


def test_a_batch_signs_with_one_loaded_key_and_each_verifies(org):
    key = active_key(org)
    signer = signing.Signer(key)
    documents = [
        {
            "@context": ["https://www.w3.org/ns/credentials/v2"],
            "type": ["VerifiableCredential"],
            "issuer": org.did,
            "credentialSubject": {"name": f"learner {n}"},
        }
        for n in range(3)
    ]
    signed = signer.sign_many(documents, created="2026-01-01T00:00:00Z")
    assert [d["credentialSubject"]["name"] for d in signed] == ["learner 0", "learner 1", "learner 2"]
    public = key.public_key()
    for doc in signed:
        assert doc["proof"]["verificationMethod"] == f"{org.did}#key-1"
        assert proofs.verify(doc, lambda vm: public).verified
    assert "proof" not in documents[0]  # the input is not changed
    assert str(key.load().private_bytes()) not in repr(signer)


def test_issue_refuses_to_store_what_does_not_verify(issue):
    issue()  # the status list exists and is signed
    publish_the_wrong_public_key(organization__isnull=False)
    with pytest.raises(signing.SigningError, match="failed verification right after signing"):
        issue(email="b@example.org")
    assert list(Credential.objects.values_list("recipient_email", flat=True)) == ["ada@example.org"]


def test_expiry_change_refuses_to_store_what_does_not_verify(issue):
    credential = issue()
    before = credential.document
    publish_the_wrong_public_key(organization__isnull=False)
    with pytest.raises(signing.SigningError):
        actions.change_expiry(credential, valid_until=timezone.now() + timedelta(days=30))
    credential.refresh_from_db()
    assert credential.document == before and credential.valid_until is None


def test_status_list_refuses_to_publish_what_does_not_verify(issue):
    credential = issue()
    served = StatusList.objects.get().revocation_document
    publish_the_wrong_public_key(organization__isnull=False)
    with pytest.raises(signing.SigningError):
        actions.revoke_credential(credential, reason="issued in error", actor=SYSTEM)
    credential.refresh_from_db()
    assert credential.state == Credential.State.ACTIVE
    assert StatusList.objects.get().revocation_document == served


def reseal_another_private_key(key: SigningKey) -> None:
    """The row keeps its published public key, but its sealed private key is another one."""
    other = vc_keys.Ed25519Key.generate().private_bytes()
    key.sealed_private_key = seal(other, seal_context(key.organization_id, key.fragment))
    key.save(update_fields=["sealed_private_key"])


def test_a_key_swapped_after_its_first_full_verification_is_still_refused(org):
    key = active_key(org)
    document = {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "type": ["VerifiableCredential"],
        "issuer": org.did,
        "credentialSubject": {"name": "learner"},
    }
    signed = signing.sign(document, key)  # the first signature of this key: verified in full
    assert proofs.verify(signed, lambda vm: key.public_key()).verified
    reseal_another_private_key(key)
    key.refresh_from_db()
    with pytest.raises(signing.SigningError, match="does not verify with the published public key"):
        signing.sign(document, key)  # checked over the signed bytes, without a second canonicalization


def test_what_the_quick_check_passes_verifies_in_full(org):
    key = active_key(org)
    signer = signing.Signer(key)
    documents = [
        {
            "@context": ["https://www.w3.org/ns/credentials/v2"],
            "type": ["VerifiableCredential"],
            "issuer": org.did,
            "credentialSubject": {"name": name},
        }
        for name in ["Ada", "أحمد", "李雷", "देवनागरी", "🎓"]
    ]
    signed = signer.sign_many(documents)
    public = key.public_key()
    assert all(proofs.verify(doc, lambda vm: public).verified for doc in signed)


def test_a_large_batch_is_signed_in_the_signing_processes_and_each_verifies(org):
    """``sign_many`` with processes goes through the one parallel path (``submit``): every document of a
    batch above ``PARALLEL_MIN`` comes back signed, in order, and verifies with the published key."""
    key = active_key(org)
    documents = [
        {
            "@context": ["https://www.w3.org/ns/credentials/v2"],
            "type": ["VerifiableCredential"],
            "issuer": org.did,
            "credentialSubject": {"name": f"learner {n} · 李雷"},
        }
        for n in range(signing.PARALLEL_MIN + 6)
    ]
    signed = signing.Signer(key).sign_many(documents, created="2026-01-01T00:00:00Z", processes=2)
    assert [d["credentialSubject"]["name"] for d in signed] == [
        d["credentialSubject"]["name"] for d in documents
    ]
    public = key.public_key()
    assert all(proofs.verify(doc, lambda vm: public).verified for doc in signed)
