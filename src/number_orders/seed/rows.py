"""Orders for bulk seeding, made straight as database rows.

`factory.OrderFactory` builds domain objects, which is right for tests and the demo but
costs ~75 µs an order. Here the same rules run over precomputed tables and the rows come
out as tuples in `ORDER_COLUMNS` order, with each order's tally key beside it:

- numbers come from the same per-country templates (checked against the numbering plans
  once); a failed number ends in 0000, and no other number ends in a forced-outcome suffix;
- every chunk draws from its own share of each template (the positions equal to the chunk
  number modulo the number of chunks) and never repeats a number inside it, so one seed
  offers each number once, as long as a template's share holds the chunk's draws;
- a number that succeeded is bought: a row for `phone_numbers`, owned once loaded;
- a number whose country needs requirements and lacks them stays pending;
- the order's `status` and `requirements_met` follow `domain.orders.derive_order_state`;
- an order with a pending number whose requirements are met is due for the worker now.

Rows are made in chunks of `CHUNK` orders, each from its own generator seeded by
`(seed, chunk number)`, so the data depends only on the seed and the time anchor, never
on how many processes made it.
"""

from __future__ import annotations

import multiprocessing
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

from number_orders.domain.forced_outcomes import ALWAYS_FAILS, FORCED_SUFFIXES
from number_orders.domain.ids import IdFamily, RandomIds
from number_orders.domain.orders import FAILURE, PENDING, SUCCESS
from number_orders.domain.phone_numbers import ACTIVE, NUMBER_ORDER, phone_number_id
from number_orders.domain.regulatory import RequirementRules
from number_orders.domain.requirements_status import DEFAULT_DEADLINE
from number_orders.seed.vocabulary import (
    COUNT_WEIGHTS,
    COUNTRY_WEIGHTS,
    KIND_WEIGHTS,
    REFERENCES,
    YEAR,
    templates,
)
from number_orders.storage import CountKey, PhoneCountKey, phone_number_counts
from number_orders.storage.periods import period_start

CHUNK = 10_000
# Numbers are made as integers: the forced-outcome suffixes as endings, and the step that
# moves an ending past all of them (0000 becomes 0003, 0002 becomes 0005).
_FORCED_ENDINGS = frozenset(int(suffix) for suffix in FORCED_SUFFIXES)
_PAST_FORCED = max(_FORCED_ENDINGS) + 1


@dataclass(frozen=True, slots=True)
class _Kind:
    country: str
    kind: str
    prefix: str
    low: int
    span: int
    requirements: tuple[tuple[str, str], ...]  # (requirement_id, field_type)
    described: str  # the details' JSON members that follow from the kind alone


@dataclass(frozen=True, slots=True)
class Chunk:
    rows: list[tuple[Any, ...]]
    counts: Counter[CountKey]
    numbers: list[tuple[Any, ...]]  # bought numbers, as `PHONE_NUMBER_COLUMNS` tuples
    number_counts: Counter[PhoneCountKey]


@dataclass(slots=True)
class _Draw:
    """One chunk's source: its random stream, its share of every template, and the
    numbers it has offered."""

    rng: RandomIds
    share: int  # the chunk's number
    shares: int  # how many chunks there are
    offered: set[str]
    bought: list[tuple[Any, ...]]


class RowMaker:
    def __init__(
        self,
        account_id: str,
        now: int,
        total: int,
        rules: RequirementRules | None = None,
        deadline_period: int = DEFAULT_DEADLINE,
    ) -> None:
        rules = rules or RequirementRules()
        self.account_id = account_id
        self.now = now
        # Pending numbers count their deadline from the seed, so seeded accounts keep
        # pending orders; settled ones show the deadline they had.
        self.deadline_period = deadline_period
        # Orders come oldest first, evenly spread over three years with jitter inside each
        # step: every index then grows at its newest end, the cheap place to insert.
        self.step = _SPAN / max(total, 1)
        self.shares = max(1, -(-total // CHUNK))
        by_country: dict[str, list[_Kind]] = {}
        for t in templates():
            low = max(10 ** (t.free_digits - 1), 1000)
            needed = tuple(
                (r.requirement_id, r.field_type) for r in rules.requirements_for(t.country_code)
            )
            described = (
                f'"country_code":"{t.country_code}","phone_number_type":"{t.phone_number_type}",'
            )
            kind = _Kind(
                t.country_code,
                t.phone_number_type,
                t.prefix,
                low,
                10**t.free_digits - low,
                needed,
                described,
            )
            by_country.setdefault(t.country_code, []).append(kind)
        # Weighted choices as lookup tables of 100 entries: one random index per choice.
        self.kind_tables = {
            c: [ks[_pick(KIND_WEIGHTS[: len(ks)], i)] for i in range(100)]
            for c, ks in by_country.items()
        }
        self.countries = [
            c for c, w in COUNTRY_WEIGHTS.items() if c in by_country for _ in range(w)
        ]
        self.sizes = [size for size, w in enumerate(COUNT_WEIGHTS, 1) for _ in range(w)]
        self.references = REFERENCES

    def chunk(self, seed: int | None, number: int, count: int) -> Chunk:
        draw = _Draw(RandomIds(f"{seed}:{number}"), number % self.shares, self.shares, set(), [])
        rows = []
        counts: Counter[CountKey] = Counter()
        for index in range(number * CHUNK, number * CHUNK + count):
            row = self._order(draw, index)
            rows.append(row)
            counts[row[2], row[3], row[4], row[5], period_start(row[9], 1)] += 1
        # The numbers' tallies too, here in parallel rather than in the loading writer.
        return Chunk(rows, counts, draw.bought, phone_number_counts(draw.bought))

    def _order(self, draw: _Draw, index: int) -> tuple[Any, ...]:
        rng = draw.rng
        random_ = rng.random
        ids = rng.family()
        created_at = self.now - _SPAN + int((index + random_()) * self.step)
        size = self.sizes[int(random_() * len(self.sizes))]
        recent = self.now - created_at < 120_000_000
        numbers = [self._number(draw, ids, recent) for _ in range(size)]
        statuses = {n[2] for n in numbers}
        if PENDING in statuses:
            status = PENDING
        elif statuses == {SUCCESS}:
            status = SUCCESS
        else:
            status = FAILURE
        met = all(n[3] for n in numbers)
        groups = len({n[4] for n in numbers})
        updated_at = min(self.now, created_at + int(random_() * 30 * 86_400_000_000) + 1)
        listed = ",".join(f'{{"id":"{n[0]}","phone_number":"{n[1]}"}}' for n in numbers)
        # Ids rise with `created_at` but do not depend on `--now`: same seed, same ids.
        order_id = ids.ordered(_ID_ANCHOR + created_at - self.now)
        reference = (
            self.references[int(random_() * len(self.references))] if random_() < 0.85 else None
        )
        connection = str(10**17 + int(random_() * 9 * 10**17)) if random_() < 0.5 else None
        messaging_profile = ids.next() if random_() < 0.3 else None
        billing_group = ids.next() if random_() < 0.3 else None
        updated_at = max(updated_at, created_at)
        draw.bought += [
            self._bought(n, order_id, reference, connection, updated_at)
            for n in numbers
            if n[2] == SUCCESS
        ]
        return (
            self.account_id,
            order_id,
            status,
            met,
            size,
            reference,
            connection,
            messaging_profile,
            billing_group,
            created_at,
            updated_at,
            f"[{listed}]",
            "[" + ",".join(f'"{ids.next()}"' for _ in range(groups)) + "]",
            "[" + ",".join(n[5] for n in numbers) + "]",
            # Orders the worker could settle join its queue, as if just created.
            self.now if any(n[2] == PENDING and n[3] for n in numbers) else None,
            (self.now if status == PENDING else created_at) + self.deadline_period,
        )

    def _number(self, draw: _Draw, ids: IdFamily, recent: bool) -> tuple[Any, ...]:
        """`(id, phone_number, status, requirements met, kind, details JSON)`"""
        random_ = draw.rng.random
        country = self.countries[int(random_() * len(self.countries))]
        kind = self.kind_tables[country][int(random_() * 100)]
        digits = self._digits(draw, kind)
        met = random_() < 0.85
        status = PENDING
        if (met or not kind.requirements) and not (recent and random_() < 0.5):
            status = FAILURE if random_() < 0.06 else SUCCESS
        text = str(digits)
        if status == FAILURE:
            text = text[:-4] + ALWAYS_FAILS
        elif digits % 10_000 in _FORCED_ENDINGS:
            text = str(digits + _PAST_FORCED)  # only when the chunk's share ran out
        number_id, phone_number = ids.next(), kind.prefix + text
        if status != FAILURE:
            draw.offered.add(phone_number)
        requirements = ",".join(
            f'["{rid}","{field}",' + (f'"{ids.next()}"]' if met else "null]")
            for rid, field in kind.requirements
        )
        details = (
            f'{{"id":"{number_id}","phone_number":"{phone_number}",{kind.described}'
            f'"status":"{status}","bundle_id":null,"requirement_group_id":null,'
            f'"regulatory_requirements":[{requirements}]}}'
        )
        return number_id, phone_number, status, met or not kind.requirements, kind, details

    def _bought(
        self,
        number: tuple[Any, ...],
        order_id: str,
        reference: str | None,
        connection: str | None,
        at: int,
    ) -> tuple[Any, ...]:
        """A succeeded number as its `phone_numbers` row: bought when the order last
        changed, with the order's reference and connection, as the worker makes it."""
        number_id, phone_number, _, _, kind, _ = number
        return (
            self.account_id,
            phone_number_id(number_id),
            phone_number,
            ACTIVE,
            kind.country,
            kind.kind,
            NUMBER_ORDER,
            reference,
            connection,
            None,  # billing_group_id
            "[]",  # tags
            False,  # tagged
            None,  # external_pin
            False,  # hd_voice_enabled
            None,  # address_id
            order_id,
            at,  # purchased_at
            at,  # updated_at
        )

    @staticmethod
    def _digits(draw: _Draw, kind: _Kind) -> int:
        """A number of the chunk's share of the template that ends in no forced-outcome
        suffix and that the chunk has not offered yet, if a few draws find one."""
        random_ = draw.rng.random
        # Positions `share`, `share + shares`, ... of the template's span.
        first = draw.share % kind.span
        room = (kind.span - 1 - first) // draw.shares + 1
        for _ in range(_DRAWS):
            digits = kind.low + first + draw.shares * int(random_() * room)
            if (
                digits % 10_000 not in _FORCED_ENDINGS
                and kind.prefix + str(digits) not in draw.offered
            ):
                break
        return digits


_SPAN = 3 * YEAR
_DRAWS = 8  # tries for a number the chunk has not offered, before repeating one
_ID_ANCHOR = 1_767_225_600_000_000  # 2026-01-01T00:00:00Z, as the ids' newest instant


def chunks(total: int) -> Iterator[tuple[int, int]]:
    """`(chunk number, orders in it)` for `total` orders."""
    for number, start in enumerate(range(0, total, CHUNK)):
        yield number, min(CHUNK, total - start)


def _pick(weights: tuple[int, ...], index: int) -> int:
    """The choice a 0..99 index falls on when weights are scaled to 100."""
    scaled = [w * 100 / sum(weights) for w in weights]
    edge = 0.0
    for choice, w in enumerate(scaled):
        edge += w
        if index < edge:
            return choice
    return len(weights) - 1


Load = Callable[[Iterator[Chunk]], int]


def load_in_parallel(
    maker: RowMaker,
    seed: int | None,
    total: int,
    processes: int,
    load: Load,
    after_fork: Callable[[], None],
) -> int:
    """Rows made and loaded by `processes` worker processes (the caller's own process when
    1), each taking every `processes`-th chunk and loading it itself; the orders loaded.

    Each worker alternates making a chunk and inserting it, so while one waits for the
    database's single writer the other makes rows, and no row is pickled across processes
    (handing 1.2 KB rows to one inserting process cost more than inserting them).
    `after_fork` runs first in each worker, to drop connections inherited from the caller.
    """
    every = list(chunks(total))
    if processes <= 1:
        return load(maker.chunk(seed, number, count) for number, count in every)
    context = multiprocessing.get_context("fork")  # workers inherit the checked templates
    with ProcessPoolExecutor(
        processes, mp_context=context, initializer=_start_worker, initargs=(load, after_fork)
    ) as pool:
        shares = [every[first::processes] for first in range(processes)]
        futures = [pool.submit(_load_share, maker, seed, share) for share in shares]
        return sum(future.result() for future in futures)


_worker_load: list[Load] = []  # set in each forked worker by `_start_worker`


def _start_worker(load: Load, after_fork: Callable[[], None]) -> None:
    after_fork()
    _worker_load.append(load)


def _load_share(maker: RowMaker, seed: int | None, share: list[tuple[int, int]]) -> int:
    return _worker_load[0](maker.chunk(seed, number, count) for number, count in share)
