"""The platform's keys move from portal.PlatformKey into organizations.SigningKey (organization = null),
run forward on keys made before the move: same sealed bytes, same fragments, still resolvable, still signing."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from credstack.credentials.resolver import local_fetch
from credstack.organizations.actions import platform_key, rotate_key
from credstack.organizations.models import SigningKey, platform_did
from credstack.organizations.queries import did_document, platform_did_document
from credstack.organizations.sealing import seal
from credstack.vc import clr, proofs
from credstack.vc import keys as vc_keys
from credstack.vc import verify as vc_verify

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("organizations", "0003_auditentry"), ("portal", "0002_accountemail_verified_by")]
AFTER = [("portal", "0003_platform_keys_to_signing_keys")]
T0 = datetime(2026, 1, 1, tzinfo=UTC)


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def before(org):
    org_keys = list(SigningKey.objects.values_list("pk", "sealed_private_key"))
    apps = _migrate(BEFORE)
    yield apps, org_keys
    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())  # the other tests' schema


def _old_platform_key(PlatformKey, fragment: str, active: bool, created_at: datetime):
    private = vc_keys.Ed25519Key.generate()
    row = PlatformKey.objects.create(
        fragment=fragment,
        public_multibase=private.public_multibase,
        sealed_private_key=seal(private.private_bytes(), f"platform:key:{fragment}"),
        active=active,
    )
    PlatformKey.objects.filter(pk=row.pk).update(created_at=created_at)
    return private, bytes(row.sealed_private_key)


def _signed_clr(private: vc_keys.Ed25519Key, fragment: str) -> dict:
    unsigned = clr.compose(
        issuer={"id": platform_did(), "name": "credstack at testserver"},
        credential_id=f"urn:uuid:{uuid.uuid4()}",
        name="Portfolio of credentials",
        credentials=[],
        valid_from=T0,
        recipient_emails=["ada@example.org"],
    )
    return proofs.sign(unsigned, private, f"{platform_did()}#{fragment}", created=T0)


def test_platform_keys_move_with_their_sealed_material_reverse_and_keep_verifying(before, org):
    apps, org_keys = before
    PlatformKey = apps.get_model("portal", "PlatformKey")
    old1, sealed1 = _old_platform_key(PlatformKey, "key-1", active=False, created_at=T0)
    old2, sealed2 = _old_platform_key(PlatformKey, "key-2", active=True, created_at=T0 + timedelta(days=30))
    # portfolios exported before the move, one with each key
    exported = [_signed_clr(old1, "key-1"), _signed_clr(old2, "key-2")]

    # the move reverses (one cycle of the whole migration graph per module: it is the costly part)
    _migrate(AFTER)
    apps = _migrate(BEFORE)
    PlatformKey = apps.get_model("portal", "PlatformKey")
    assert [
        (k.fragment, k.active, k.created_at, bytes(k.sealed_private_key))
        for k in PlatformKey.objects.order_by("created_at")
    ] == [("key-1", False, T0, sealed1), ("key-2", True, T0 + timedelta(days=30), sealed2)]
    assert not apps.get_model("organizations", "SigningKey").objects.filter(organization=None).exists()

    _migrate(AFTER)
    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    moved = list(SigningKey.objects.filter(organization=None).order_by("created_at", "id"))
    assert [(k.fragment, k.active, k.created_at) for k in moved] == [
        ("key-1", False, T0),
        ("key-2", True, T0 + timedelta(days=30)),
    ]
    assert moved[0].retired_at == T0 + timedelta(days=30) and moved[1].retired_at is None
    # the sealed bytes are unchanged and still open to the same private keys
    assert [bytes(k.sealed_private_key) for k in moved] == [sealed1, sealed2]
    assert [k.load().private_bytes() for k in moved] == [old1.private_bytes(), old2.private_bytes()]
    assert [k.verification_method for k in moved] == ["did:web:testserver#key-1", "did:web:testserver#key-2"]
    # the organizations' keys are untouched
    assert list(SigningKey.objects.exclude(organization=None).values_list("pk", "sealed_private_key")) == [
        (pk, bytes(sealed)) for pk, sealed in org_keys
    ]
    assert [vm["id"] for vm in did_document(org)["verificationMethod"]] == [f"{org.did}#key-1"]

    # what the old keys signed still verifies against the platform's DID document
    assert [vm["id"].rsplit("#")[-1] for vm in platform_did_document()["verificationMethod"]] == [
        "key-1",
        "key-2",
    ]
    for doc in exported:
        report = vc_verify.verify_credential(doc, fetch=local_fetch)
        assert report.status == "valid", report.to_dict()
    # the moved active key is the one that signs on; no new key was made
    assert platform_key() == moved[1]
    assert SigningKey.objects.filter(organization=None).count() == 2


def test_the_platform_key_rotates_and_its_old_keys_stay_published(client):
    first = platform_key()
    second = rotate_key(None)
    assert first.fragment == "key-1" and second.fragment.startswith("key-2-")
    assert platform_key() == second
    first.refresh_from_db()
    assert first.active is False and first.retired_at is not None
    served = client.get("/.well-known/did.json").json()
    assert served["assertionMethod"] == ["did:web:testserver#key-1", f"did:web:testserver#{second.fragment}"]
