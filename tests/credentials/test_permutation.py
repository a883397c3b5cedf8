"""Status list indexes: a keyed permutation, so indexes never collide and never reveal issue order."""

from __future__ import annotations

import os
from itertools import pairwise

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from credstack.credentials.permutation import FeistelPermutation


def test_it_is_a_permutation_of_the_whole_list():
    permute = FeistelPermutation(os.urandom(32), 131072)
    assert sorted(permute(s) for s in range(131072)) == list(range(131072))


@settings(max_examples=50)
@given(key=st.binary(min_size=1, max_size=32), size=st.integers(min_value=2, max_value=3000))
def test_any_key_and_size_gives_a_permutation(key, size):
    permute = FeistelPermutation(key, size)
    assert sorted(permute(s) for s in range(size)) == list(range(size))


def test_consecutive_slots_do_not_give_ordered_or_evenly_spaced_indexes():
    permute = FeistelPermutation(b"a fixed key for a repeatable test", 131072)
    indexes = [permute(s) for s in range(50)]
    assert indexes != sorted(indexes)
    assert len({b - a for a, b in pairwise(indexes)}) > 45  # no constant stride


def test_different_keys_give_different_orders():
    a, b = FeistelPermutation(b"one", 131072), FeistelPermutation(b"two", 131072)
    assert [a(s) for s in range(20)] != [b(s) for s in range(20)]


def test_slots_outside_the_list_are_refused():
    with pytest.raises(ValueError):
        FeistelPermutation(b"k", 100)(100)


@pytest.mark.django_db
def test_new_lists_use_the_keyed_permutation_and_old_lists_keep_their_mapping(org):
    from credstack.credentials.models import StatusList

    new = StatusList.objects.create(organization=org)
    assert len(bytes(new.permutation_key)) == 32
    assert new.index_of_slot(7) == FeistelPermutation(bytes(new.permutation_key), new.size)(7)
    old = StatusList.objects.create(organization=org, permutation_key=b"", multiplier=3, offset=5)
    assert [old.index_of_slot(s) for s in range(3)] == [5, 8, 11]
