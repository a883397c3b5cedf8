"""Fixtures for the ``credstack.vc`` tests."""

from __future__ import annotations

import pytest

from credstack.vc import contexts

from .helpers import EXAMPLES_CONTEXT, VECTORS, load


@pytest.fixture
def examples_context():
    """The W3C examples context, registered for the duration of a test."""
    contexts.register(
        EXAMPLES_CONTEXT,
        load(VECTORS / "w3c-vc-di-eddsa" / "credentials-examples-v2.jsonld"),
        "W3C, https://www.w3.org/ns/credentials/examples/v2 (test only)",
    )
    yield
    contexts.unregister(EXAMPLES_CONTEXT)
