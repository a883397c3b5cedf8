"""Signing keys: sealed at rest, rotated without breaking what they signed, never shown."""

from __future__ import annotations

import base64
import io
import logging

import pytest
from django.core.management import call_command
from django.db import connection

from credstack.credentials.resolver import local_fetch
from credstack.organizations.actions import rotate_key
from credstack.organizations.models import SigningKey
from credstack.organizations.sealing import SealingError, seal, unseal
from credstack.vc import verify as vc_verify

pytestmark = pytest.mark.django_db


def test_rotation_keeps_old_credentials_verifying(issue, org, client):
    before = issue()
    new_key = rotate_key(org)
    after = issue(email="b@example.org")
    assert after.signed()["proof"][0]["verificationMethod"].split("#")[-1].startswith("key-2-")
    assert before.signed()["proof"][0]["verificationMethod"].endswith("#key-1")
    for credential in (before, after):
        assert vc_verify.verify_credential(credential.signed(), fetch=local_fetch).valid
    doc = client.get("/orgs/acme/did.json").json()
    assert [vm["id"].rsplit("#")[-1] for vm in doc["verificationMethod"]] == ["key-1", new_key.fragment]
    assert SigningKey.objects.get(organization=org, active=True) == new_key


def test_a_sealed_key_does_not_open_on_another_row():
    blob = seal(b"k" * 32, "org:1:key:key-1")
    assert unseal(blob, "org:1:key:key-1") == b"k" * 32
    with pytest.raises(SealingError):
        unseal(blob, "org:2:key:key-1")


def _secret_forms(keys: list[bytes]) -> list[bytes]:
    import base58

    forms = []
    for key in keys:
        forms += [
            key,
            key.hex().encode(),
            key.hex().upper().encode(),
            base64.b64encode(key).rstrip(b"="),
            base64.urlsafe_b64encode(key).rstrip(b"="),
            base58.b58encode(key),
            base58.b58encode(b"\x80\x26" + key),
        ]
    return forms


def test_no_private_key_material_anywhere(issue, org, client, caplog):
    caplog.set_level(logging.DEBUG)
    credential = issue()
    rotate_key(org)
    issue(email="b@example.org")
    private = [key.load().private_bytes() for key in SigningKey.objects.all()]
    forms = _secret_forms(private)

    # every column of every table
    dump = io.StringIO()
    call_command("dumpdata", stdout=dump)
    haystacks = [dump.getvalue().encode()]
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 (table names from introspection)
            for row in cursor.fetchall():
                for value in row:
                    if isinstance(value, (bytes, memoryview)):
                        haystacks.append(bytes(value))
                    elif value is not None:
                        haystacks.append(str(value).encode())
    # every response a visitor can get
    for path in (
        "/",
        f"/c/{credential.public_id}",
        f"/c/{credential.public_id}.json",
        "/orgs/acme/did.json",
        f"/status/{credential.status_list.public_id}/revocation",
    ):
        haystacks.append(client.get(path).content)
    haystacks.append(caplog.text.encode())
    haystacks.append(repr(SigningKey.objects.first()).encode())

    for form in forms:
        for hay in haystacks:
            assert form not in hay
