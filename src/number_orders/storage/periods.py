"""Periods of `created_at` for the count tallies, and how a range splits into them.

Two widths, both aligned to the Unix epoch: a day, and a block of 32 days. A range
`[lo, hi)` splits into at most five pieces, oldest first: the partial day at its lower
edge, whole days up to the first whole block, whole blocks, whole days after the last
block, and the partial day at its upper edge. Whole periods are read from tallies; only
the two partial days are counted from order rows, so a range costs the same at any size.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

DAY = 86_400_000_000
BLOCK_DAYS = 32
BLOCK = BLOCK_DAYS * DAY
WIDTHS = (1, BLOCK_DAYS)
# Bounds beyond any instant, aligned to a block so that an open end adds no partial piece.
EARLIEST = -(2**62 // BLOCK) * BLOCK
LATEST = (2**62 // BLOCK) * BLOCK

ROWS = 0  # a piece counted from order rows
# The widths of the five pieces of `split`, oldest first: the partial day at the lower edge,
# whole days, whole blocks, whole days, the partial day at the upper edge.
PIECE_WIDTHS = (ROWS, 1, BLOCK_DAYS, 1, ROWS)

# Which grouped columns a row of `order_period_counts` keeps, as bits of its `filters`; a
# column it rolls up holds its value in `ROLLED_UP` instead. A list with filters on status
# and `requirements_met` reads the rows of `STATUS | MET`: one row per period.
STATUS, MET, COUNT = 1, 2, 4
LEVELS = range((STATUS | MET | COUNT) + 1)
ROLLED_UP: tuple[str, bool, int] = ("", False, 0)


def levels(status: str, met: bool, count: int) -> list[tuple[int, str, bool, int]]:
    """`(filters, status, requirements_met, phone_numbers_count)` of every row an order of
    these values is counted in: one per level of detail."""
    any_status, any_met, any_count = ROLLED_UP
    return [
        (
            level,
            status if level & STATUS else any_status,
            met if level & MET else any_met,
            count if level & COUNT else any_count,
        )
        for level in LEVELS
    ]


class Piece(NamedTuple):
    """`[lo, hi)` read from tallies of `width` days, or from rows when `width` is ROWS."""

    width: int
    lo: int
    hi: int


@dataclass(frozen=True, slots=True)
class Period:
    """A stretch of `[lo, hi)` holding `n` matching orders, as a seek walks them."""

    width: int
    lo: int
    hi: int
    n: int


def period_start(micros: int, days: int) -> int:
    return micros - micros % (days * DAY)


def _ceil(micros: int, width: int) -> int:
    return -((-micros) // width) * width


def split(lo: int, hi: int) -> tuple[Piece, ...]:
    """Always the five pieces of `PIECE_WIDTHS` (some empty), so the statements that read
    them keep one shape."""
    lo, hi = max(lo, EARLIEST), min(hi, LATEST)
    if lo >= hi:
        return _pieces(lo, lo, lo, lo, lo, lo)
    day_lo, day_hi = _ceil(lo, DAY), hi - hi % DAY
    if day_lo >= day_hi:
        return _pieces(lo, hi, hi, hi, hi, hi)
    block_lo, block_hi = _ceil(day_lo, BLOCK), day_hi - day_hi % BLOCK
    if block_lo >= block_hi:
        block_lo = block_hi = day_hi
    return _pieces(lo, day_lo, block_lo, block_hi, day_hi, hi)


def _pieces(*bounds: int) -> tuple[Piece, ...]:
    """The pieces between six ascending bounds, with the widths of `PIECE_WIDTHS`."""
    return tuple(map(Piece, PIECE_WIDTHS, bounds, bounds[1:]))


class Edge(NamedTuple):
    """How a partial-day piece is counted: `whole` times its day's tally, plus `sign` times
    the rows in `[lo, hi)`. A piece that covers most of its day is counted as the day's
    tally minus the rest of the day, so a date-aligned bound reads next to no rows."""

    day: int
    whole: int
    sign: int
    lo: int
    hi: int


def edge(piece: Piece) -> Edge:
    """For the first or last piece of `split`, which touches a day boundary on one side."""
    length = piece.hi - piece.lo
    day = period_start(piece.lo, 1)
    if length <= DAY // 2 or period_start(piece.hi - 1, 1) != day:
        return Edge(day, 0, 1, piece.lo, piece.hi)
    if piece.lo == day:  # the upper edge: the rest of the day lies after it
        return Edge(day, 1, -1, piece.hi, day + DAY)
    return Edge(day, 1, -1, day, piece.lo)


def newest_first(pieces: tuple[Piece, ...], sums: list[tuple[int, int, Any]]) -> list[Period]:
    """Per-period sums `(piece index, period start, n)` as periods, newest first."""
    periods = []
    for index, start, total in sums:
        n = int(total or 0)
        if not n:
            continue
        piece = pieces[index]
        if piece.width == ROWS:
            periods.append(Period(ROWS, piece.lo, piece.hi, n))
        else:
            periods.append(Period(piece.width, start, start + piece.width * DAY, n))
    periods.sort(key=lambda p: p.lo, reverse=True)
    return periods


def locate(periods: list[Period], offset: int) -> tuple[Period, int] | None:
    """The period holding the `offset`-th order (newest first) and its offset inside it."""
    for period in periods:
        if offset < period.n:
            return period, offset
        offset -= period.n
    return None
