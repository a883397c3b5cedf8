"""The portfolio's CLR credential is signed by the one signer: an export whose signature would not verify
is refused, never served."""

from __future__ import annotations

import io
import json
import zipfile

import pytest

from credstack.organizations import signing
from credstack.organizations.actions import platform_key
from tests.organizations.test_signing import publish_the_wrong_public_key

pytestmark = pytest.mark.django_db


def test_portfolio_export_refuses_what_does_not_verify(client, issue, portal_login):
    issue()
    portal_login("ada@example.org")
    clr = json.loads(
        zipfile.ZipFile(io.BytesIO(client.get("/me/export.zip").content)).read("portfolio-clr.json")
    )
    assert clr["proof"][0]["verificationMethod"] == platform_key().verification_method
    publish_the_wrong_public_key(organization=None)
    with pytest.raises(signing.SigningError, match="did:web:testserver#key-1"):
        client.get("/me/export.zip")
