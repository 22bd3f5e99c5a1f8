"""Keyed permutations and template draws."""

from __future__ import annotations

import pytest

from number_orders.domain.inventory.draw import Space, key_of, mix, permute
from number_orders.domain.inventory.templates import DIGITS


@pytest.mark.parametrize("size", [1, 2, 3, 10, 97, 1000, 4096, 10_007])
def test_a_permutation_visits_every_index_once(size: int) -> None:
    key = key_of("seed", str(size))
    assert sorted(permute(key, i, size) for i in range(size)) == list(range(size))


def test_keys_change_the_order_and_nothing_else_does() -> None:
    first = [permute(key_of("a"), i, 10_000) for i in range(20)]
    assert first == [permute(key_of("a"), i, 10_000) for i in range(20)]
    assert first != [permute(key_of("b"), i, 10_000) for i in range(20)]
    assert first != sorted(first)  # not the identity
    assert key_of("a", "b") != key_of("ab") and mix(1, 2) != mix(2, 1)


def test_a_space_draws_each_number_of_its_template_once() -> None:
    space = Space(("3", "12", DIGITS), key_of("k"))
    assert space.size == 20
    drawn = [space.next() for _ in range(20)]
    assert sorted(drawn) == sorted(f"3{a}{b}" for a in "12" for b in DIGITS)  # type: ignore[type-var]
    assert space.exhausted and space.next() is None


def test_a_large_space_draws_without_listing_it() -> None:
    space = Space(tuple(DIGITS for _ in range(14)), key_of("big"))
    assert space.size == 10**14
    numbers = [space.next() for _ in range(1000)]
    assert len(set(numbers)) == 1000
