"""Blocks of consecutive free numbers (`GET /available_phone_number_blocks`): ranges of
10 or 100 numbers aligned on their range, every number of them valid, free and no
test number."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice

from number_orders.domain.inventory.candidates import (
    Draw,
    SourceDraw,
    confirmed,
    space,
)
from number_orders.domain.inventory.catalogue import Source, calling_code
from number_orders.domain.inventory.draw import key_of, mix
from number_orders.domain.inventory.plan import Phase, plan
from number_orders.domain.inventory.query import SearchQuery
from number_orders.domain.inventory.search import (
    PICKS_BASE,
    PICKS_PER_RESULT,
    HeldNumbers,
    batch_size,
)
from number_orders.domain.inventory.templates import DIGITS, Template


@dataclass(frozen=True, slots=True)
class Block:
    """`range` consecutive available numbers from `phone_number` on."""

    phone_number: str
    range: int
    source: Source


BLOCK_LIMIT = 20
RANGES = (10, 100)


def search_blocks(
    query: SearchQuery, countries: tuple[str, ...], seed: str, held: HeldNumbers
) -> list[Block]:
    """Up to `BLOCK_LIMIT` blocks of consecutive free numbers, from exact matches only."""
    phases = plan(query, countries)
    if not phases:
        return []
    seen: set[str] = set()
    drawn = block_candidates(seed, phases[0], seen, PICKS_PER_RESULT * BLOCK_LIMIT + PICKS_BASE)
    free: list[Block] = []
    while len(free) < BLOCK_LIMIT:
        batch = list(islice(drawn, batch_size(BLOCK_LIMIT - len(free))))
        if not batch:
            break
        numbers = [n for block in batch for n in block_numbers(block)]
        taken = held(numbers, include_own_reservations=False)
        free.extend(b for b in batch if taken.isdisjoint(block_numbers(b)))
    return free[:BLOCK_LIMIT]


def block_numbers(block: Block) -> list[str]:
    width = _width(block.range)
    stem = block.phone_number[:-width]
    return [f"{stem}{i:0{width}d}" for i in range(block.range)]


def block_candidates(seed: str, phase: Phase, seen: set[str], picks: int) -> Iterator[Block]:
    """Blocks of the phase in order: each pick draws a block of one of the `RANGES` (as a
    keyed hash of the pick says, while the source has blocks of that range)."""
    digits = phase.digits

    def open_source(source: Source) -> list[SourceDraw]:
        narrowed = digits.narrow(source.template)
        return [
            SourceDraw([space(seed, s) for t in narrowed if (s := _first_numbers(t, size))])
            for size in RANGES
        ]

    draw = Draw(seed, phase.segments(), open_source)
    choice = key_of(seed, "ranges")
    while draw.picks < picks:
        picked = draw.pick()
        if picked is None:
            return
        source, draws = picked
        first = mix(choice, draw.picks) % len(RANGES)
        block = None
        for at in (*range(first, len(RANGES)), *range(first)):
            national = draws[at].next()
            if national is not None:
                block = Block(f"+{calling_code(source.country)}{national}", RANGES[at], source)
                break
        if all(d.spent for d in draws):
            draw.retire()
        if block is not None and _confirmed_block(block, digits.ndc, seen):
            yield block


def _width(size: int) -> int:
    """The trailing digits a block of `size` numbers spans: 1 for 10, 2 for 100."""
    return len(str(size)) - 1


def _first_numbers(template: Template, size: int) -> Template | None:
    """The template of the first numbers of blocks of `size`: the block's trailing digits
    must all be free in `template`, and are zeros in the first number."""
    width = _width(size)
    if len(template) <= width or any(t != DIGITS for t in template[-width:]):
        return None
    return template[:-width] + ("0",) * width


def _confirmed_block(block: Block, ndc: str, seen: set[str]) -> bool:
    """Whether every number of the block is one the inventory offers and none was seen."""
    numbers = block_numbers(block)
    if seen.intersection(numbers):
        return False
    seen.update(numbers)
    code = calling_code(block.source.country)
    # The code's length depends on leading digits only: the first number tells for all.
    checks = ((number[1 + len(code) :], ndc if i == 0 else "") for i, number in enumerate(numbers))
    return all(confirmed(block.source, national, code_, set()) for national, code_ in checks)
