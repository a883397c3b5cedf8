import itertools

import pytest

from tests.portal.conftest import portal_login  # noqa: F401  (the holder signs in to the portal)

_slugs = itertools.count(1)


@pytest.fixture
def org(db):
    """A fresh organization slug per test (as in tests/interop/test_verifier_core.py): verifier-core caches
    the DID documents it resolves for a while, and each test's database makes new keys under the same live
    server's address, so a second test's "acme" would meet the first test's keys."""
    from credstack.organizations.actions import create_organization

    return create_organization(
        slug=f"wallet-{next(_slugs)}",
        name="Acme Training",
        url="https://acme.example",
        email="certs@acme.example",
    )


@pytest.fixture(autouse=True)
def _one_platform_key(stable_platform_key):
    """The platform's key, the same in every test of this process (see tests/conftest.py)."""
