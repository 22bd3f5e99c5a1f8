"""The number search: candidates offered to the caller's holdings in batches.

Holdings only remove numbers from the order of candidates, so the same search on the
same state returns the same numbers in the same order. A search costs O(limit): each
phase looks at no more than `PICKS_PER_RESULT * wanted + PICKS_BASE` candidates, and
never scans what is held.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import islice
from typing import Protocol

from number_orders.domain.inventory.candidates import Found, candidates
from number_orders.domain.inventory.plan import plan
from number_orders.domain.inventory.query import SearchQuery

# Each phase examines at most this many candidates per wanted result, plus a base: a
# candidate may be invalid, of another type, or held, and a search must end.
PICKS_PER_RESULT = 8
PICKS_BASE = 64


class HeldNumbers(Protocol):
    """Which of `numbers` are not free for the caller. With `include_own_reservations`
    the caller's own reservations count as held too (`exclude_held_numbers=true`)."""

    def __call__(self, numbers: list[str], *, include_own_reservations: bool) -> set[str]: ...


def search(
    query: SearchQuery, countries: tuple[str, ...], seed: str, held: HeldNumbers
) -> list[Found]:
    """Up to `query.limit` free numbers: exact matches first, then best-effort ones."""
    found: list[Found] = []
    seen: set[str] = set()
    for phase in plan(query, countries):
        wanted = query.limit - len(found)
        if not wanted:
            break
        drawn = candidates(seed, phase, seen, PICKS_PER_RESULT * wanted + PICKS_BASE)
        found.extend(_free(drawn, wanted, held, query.exclude_held_numbers))
    return found


def batch_size(missing: int) -> int:
    """Candidates to offer when `missing` results are missing: a quarter more, so one
    round trip usually settles a search even when some are held, without confirming
    many candidates that are never shown (confirming one costs more than asking)."""
    return missing + missing // 4 + 8


def _free(drawn: Iterator[Found], wanted: int, held: HeldNumbers, include_own: bool) -> list[Found]:
    free: list[Found] = []
    while len(free) < wanted:
        batch = list(islice(drawn, batch_size(wanted - len(free))))
        if not batch:
            break
        taken = held([f.phone_number for f in batch], include_own_reservations=include_own)
        free.extend(f for f in batch if f.phone_number not in taken)
    return free[:wanted]
