"""Ids and tokens: well-formed UUIDs of the right version, repeatable for a seed, and never
repeated across a fork."""

from __future__ import annotations

import multiprocessing
import uuid
from collections.abc import Iterator

import pytest

from number_orders.domain import ids
from number_orders.domain.ids import RandomIds, stable_id
from number_orders.domain.regulatory import requirement_id

INSTANT = 1_767_225_600_123_456  # 2026-01-01T00:00:00.123456Z


def well_formed(text: str, version: int) -> bool:
    parsed = uuid.UUID(text)
    return str(parsed) == text and parsed.version == version and parsed.variant == uuid.RFC_4122


def test_a_seed_gives_the_same_ids_as_in_earlier_releases() -> None:
    """Seeded data (`seed --seed S`, the demo) stays the same from one release to the next."""
    source = RandomIds(1)
    assert source.uuid4() == "cd613e30-d8f1-4adf-91b7-584a2265b1f5"
    assert source.uuid7(INSTANT) == "019b76da-a87b-71c8-8409-f134c386bbc4"
    assert source.hex_token() == "c2ce6f447ed4d57b1e2feb89414c343c"
    assert source.family().next() == "a3d81173-6110-4e57-8cea-c9e9612e7697"


def test_the_same_seed_makes_the_same_mix_of_ids_and_numbers() -> None:
    def mix(source: RandomIds) -> list[object]:
        family = source.family()
        return [
            source.uuid4(),
            source.random(),
            source.hex_token(8),
            family.next(),
            family.ordered(INSTANT),
            source.uuid7(INSTANT),
        ]

    assert mix(RandomIds("a:1")) == mix(RandomIds("a:1"))
    assert mix(RandomIds("a:1")) != mix(RandomIds("a:2"))


def test_random_ids_are_version_4() -> None:
    source = RandomIds(2)
    made = [source.uuid4() for _ in range(2000)]
    assert all(well_formed(i, 4) for i in made)
    assert len(set(made)) == len(made)
    assert well_formed(ids.random_id(), 4)


def test_time_ordered_ids_carry_their_instant_and_rise_with_it() -> None:
    source = RandomIds(3)
    instants = [INSTANT + step * 997 for step in range(500)]
    made = [source.uuid7(i) for i in instants]
    assert all(well_formed(i, 7) for i in made)
    assert made == sorted(made)
    for instant, text in zip(instants, made, strict=True):
        value = uuid.UUID(text).int
        assert value >> 80 == instant // 1000  # milliseconds
        assert (value >> 64) & 0xFFF == instant % 1000  # microseconds within them


def test_a_family_shares_a_prefix_and_counts_its_tail() -> None:
    family = RandomIds(4).family()
    made = [family.next() for _ in range(50)]
    assert all(well_formed(i, 4) for i in made)
    assert len({i[:24] for i in made}) == 1
    assert [int(i[24:], 16) for i in made] == [
        (int(made[0][24:], 16) + n) % 2**48 for n in range(50)
    ]
    ordered = [family.ordered(INSTANT + n) for n in range(50)]
    assert all(well_formed(i, 7) for i in ordered)
    assert ordered == sorted(ordered)


def test_hex_tokens_have_the_asked_length() -> None:
    source = RandomIds(5)
    assert len(source.hex_token()) == 32
    assert len(source.hex_token(4)) == 8
    tokens = {source.hex_token() for _ in range(1000)}
    assert len(tokens) == 1000
    assert all(int(t, 16) >= 0 for t in tokens)
    assert len(ids.hex_token(16)) == 32


def test_stable_ids_are_version_5_and_the_same_everywhere() -> None:
    assert stable_id("GB:address") == stable_id("GB:address") != stable_id("DE:address")
    assert well_formed(stable_id("GB:address"), 5)
    # Requirement ids are stored on orders and sent by clients: they never change.
    assert requirement_id("GB", "address") == "9af80124-a570-5ccb-b4ca-3c38b20597b0"


@pytest.fixture
def seeded_shared_source() -> Iterator[None]:
    ids.seed(7)
    yield
    ids.seed(None)


@pytest.mark.usefixtures("seeded_shared_source")
def test_the_shared_source_can_be_seeded() -> None:
    first = [ids.random_id(), ids.hex_token()]
    ids.seed(7)
    assert [ids.random_id(), ids.hex_token()] == first


def _child_id(results: multiprocessing.queues.Queue[str]) -> None:
    results.put(ids.random_id())


@pytest.mark.usefixtures("seeded_shared_source")
def test_a_forked_child_never_repeats_its_parents_ids() -> None:
    context = multiprocessing.get_context("fork")
    results: multiprocessing.queues.Queue[str] = context.Queue()
    child = context.Process(target=_child_id, args=(results,))
    child.start()
    from_child = results.get(timeout=30)
    child.join(30)
    assert well_formed(from_child, 4)
    assert from_child != ids.random_id()  # without a reseed they would be equal
