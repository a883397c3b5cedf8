"""CLR 2.0: a portfolio of signed OB 3.0 credentials in one ClrCredential, signed and checked by
credstack and by the independent verifier."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from credstack.vc import clr, keys, ob3, proofs, verify
from tests.interop.conftest import node_verifier  # noqa: F401  (fixture)


def _signed_ob3(key, did, n):
    doc = ob3.compose(
        issuer={"id": did, "name": "Issuer"},
        achievement={
            "id": f"https://x.example/a/{n}",
            "name": f"Skill {n}",
            "description": "d",
            "criteria": "c",
        },
        recipient_email="ada@example.org",
        recipient_name="Ada Lovelace",
        credential_id=f"https://x.example/c/{n}",
        valid_from=datetime(2025, 1, 1, tzinfo=UTC),
    )
    return proofs.sign(doc, key, f"{did}#{key.public_multibase}")


def _portfolio():
    issuer_key = keys.Ed25519Key.generate()
    issuer_did = keys.did_key(issuer_key.public_bytes())
    creds = [_signed_ob3(issuer_key, issuer_did, n) for n in (1, 2)]
    platform = keys.Ed25519Key.generate()
    pdid = keys.did_key(platform.public_bytes())
    doc = clr.compose(
        issuer={"id": pdid, "name": "credstack"},
        credential_id="urn:uuid:7a1d8c5e-0000-4000-8000-000000000001",
        name="Portfolio",
        credentials=creds,
        valid_from=datetime(2025, 6, 1, tzinfo=UTC),
        recipient_emails=["ada@example.org"],
        recipient_name="Ada Lovelace",
        associations=[
            {
                "associationType": "isPartOf",
                "sourceId": "https://x.example/a/1",
                "targetId": "https://x.example/a/2",
            }
        ],
    )
    return proofs.sign(doc, platform, f"{pdid}#{platform.public_multibase}"), creds


def test_clr_shape_and_our_verifier():
    signed, creds = _portfolio()
    assert signed["type"] == ["VerifiableCredential", "ClrCredential"]
    subject = signed["credentialSubject"]
    assert subject["type"] == ["ClrSubject"] and subject["verifiableCredential"] == creds
    assert [a["name"] for a in subject["achievement"]] == ["Skill 1", "Skill 2"]
    assert subject["association"][0]["associationType"] == "isPartOf"
    assert verify.verify_credential(signed).status == "valid"
    # every embedded credential still verifies alone
    assert all(verify.verify_credential(c).status == "valid" for c in subject["verifiableCredential"])


def test_unknown_association_is_refused():
    with pytest.raises(ValueError, match="unknown associationType"):
        clr.compose(
            issuer={"id": "did:key:z", "name": "x"},
            credential_id="urn:x",
            name="x",
            credentials=[],
            valid_from=datetime.now(UTC),
            associations=[{"associationType": "likes", "sourceId": "a", "targetId": "b"}],
        )


@pytest.mark.interop
def test_clr_verifies_in_the_independent_verifier(node_verifier):  # noqa: F811
    signed, _ = _portfolio()
    result = node_verifier.verify(signed, {}, check_status=False)
    assert result["verified"] is True, result["errors"]
