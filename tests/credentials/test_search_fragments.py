"""Issue 14: the workspace search finds a credential by a piece of its email address or the start of its
id, as well as by its holder's name."""

from __future__ import annotations

import pytest

from credstack.credentials.models import Credential
from credstack.credentials.queries import search


@pytest.fixture
def three(issue):
    return (
        issue(name="Tomás García", email="tomas.garcia@uni.example"),
        issue(name="Ada Lovelace", email="ada@example.org"),
        issue(name="Grace Hopper", email="grace@navy.example"),
    )


def found(org, q) -> set[str]:
    return set(
        search(Credential.objects.filter(organization=org), q).values_list("recipient_name", flat=True)
    )


def test_an_email_fragment_finds_its_holders(org, three):
    assert found(org, "tomas.garcia") == {"Tomás García"}
    assert found(org, "@example.org") == {"Ada Lovelace"}
    assert found(org, "grace@") == {"Grace Hopper"}
    assert found(org, "navy.example") == {"Grace Hopper"}
    assert found(org, "ada@example.org") == {"Ada Lovelace"}  # a whole address: exactly it


def test_the_start_of_an_id_finds_the_credential(org, three):
    tomas = three[0]
    assert tomas.public_id[:6] and "Tomás García" in found(org, tomas.public_id[:6])
    assert found(org, tomas.public_id) == {"Tomás García"}


def test_names_are_still_found_and_a_short_word_is_only_a_name(org, three):
    assert found(org, "hopper") == {"Grace Hopper"}
    assert found(org, "ada") == {"Ada Lovelace"}
    assert found(org, "nobody-at-all") == set()
