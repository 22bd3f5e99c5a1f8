"""How a `created_at` range splits into tallied periods and partial edge days."""

from __future__ import annotations

import itertools
import random

from number_orders.storage.periods import (
    BLOCK,
    COUNT,
    DAY,
    EARLIEST,
    LATEST,
    MET,
    ROLLED_UP,
    ROWS,
    STATUS,
    Period,
    levels,
    locate,
    split,
)


def covered(lo: int, hi: int) -> list[tuple[int, int]]:
    return [(p.lo, p.hi) for p in split(lo, hi) if p.lo < p.hi]


def test_pieces_tile_the_range_in_order_with_aligned_periods() -> None:
    rng = random.Random(1)
    for _ in range(2000):
        lo = rng.randrange(-3 * BLOCK, 40 * BLOCK)
        hi = lo + rng.choice((0, 1, DAY - 1, DAY, DAY + 1, BLOCK, rng.randrange(0, 20 * BLOCK)))
        pieces = split(lo, hi)
        assert len(pieces) == 5
        spans = covered(lo, hi)
        assert (spans[0][0], spans[-1][1]) == (lo, hi) if spans else lo >= hi
        assert all(a[1] == b[0] for a, b in itertools.pairwise(spans))
        for piece in pieces:
            if piece.width == ROWS:
                assert piece.hi - piece.lo < 2 * DAY  # at most two partial days
            elif piece.lo < piece.hi:
                width = piece.width * DAY
                assert piece.lo % width == 0 and piece.hi % width == 0


def test_open_ends_are_whole_blocks() -> None:
    pieces = split(EARLIEST, LATEST)
    assert [(p.lo, p.hi) for p in pieces if p.lo < p.hi] == [(EARLIEST, LATEST)]
    assert pieces[2].width != ROWS


def test_locate_walks_newest_first() -> None:
    periods = [Period(1, 20, 30, 3), Period(1, 10, 20, 0), Period(1, 0, 10, 2)]
    assert locate(periods, 0) == (periods[0], 0)
    assert locate(periods, 2) == (periods[0], 2)
    assert locate(periods, 3) == (periods[2], 0)
    assert locate(periods, 5) is None


def test_an_order_counts_once_at_every_level_of_detail() -> None:
    rows = levels("success", True, 3)
    assert [row[0] for row in rows] == list(range(8))  # every combination of kept columns
    assert rows[0] == (0, *ROLLED_UP)  # the row of the unfiltered list
    assert rows[STATUS | MET | COUNT] == (7, "success", True, 3)
    assert rows[STATUS | COUNT] == (5, "success", ROLLED_UP[1], 3)
    assert rows[MET] == (2, ROLLED_UP[0], True, ROLLED_UP[2])
