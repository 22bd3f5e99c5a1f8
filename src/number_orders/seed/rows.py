"""Orders for bulk seeding, made straight as database rows.

`factory.OrderFactory` builds domain objects, which is right for tests and the demo but
costs ~75 µs an order. Here the same rules run over precomputed tables and the rows come
out as tuples in `ORDER_COLUMNS` order, with each order's tally key beside it:

- numbers come from the same per-country templates (checked against the numbering plans
  once); a failed number ends in 0000, and no other number ends in a forced-outcome suffix;
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
from number_orders.domain.regulatory import RequirementRules
from number_orders.seed.vocabulary import (
    COUNT_WEIGHTS,
    COUNTRY_WEIGHTS,
    KIND_WEIGHTS,
    REFERENCES,
    YEAR,
    templates,
)
from number_orders.storage import CountKey
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


class RowMaker:
    def __init__(
        self, account_id: str, now: int, total: int, rules: RequirementRules | None = None
    ) -> None:
        rules = rules or RequirementRules()
        self.account_id = account_id
        self.now = now
        # Orders come oldest first, evenly spread over three years with jitter inside each
        # step: every index then grows at its newest end, the cheap place to insert.
        self.step = _SPAN / max(total, 1)
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
        rng = RandomIds(f"{seed}:{number}")
        rows = []
        counts: Counter[CountKey] = Counter()
        for index in range(number * CHUNK, number * CHUNK + count):
            row = self._order(rng, index)
            rows.append(row)
            counts[row[2], row[3], row[4], row[5], period_start(row[9], 1)] += 1
        return Chunk(rows, counts)

    def _order(self, rng: RandomIds, index: int) -> tuple[Any, ...]:
        random_ = rng.random
        ids = rng.family()
        created_at = self.now - _SPAN + int((index + random_()) * self.step)
        size = self.sizes[int(random_() * len(self.sizes))]
        recent = self.now - created_at < 120_000_000
        numbers = [self._number(rng, ids, recent) for _ in range(size)]
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
        return (
            self.account_id,
            # Ids rise with `created_at` but do not depend on `--now`: same seed, same ids.
            ids.ordered(_ID_ANCHOR + created_at - self.now),
            status,
            met,
            size,
            self.references[int(random_() * len(self.references))] if random_() < 0.85 else None,
            str(10**17 + int(random_() * 9 * 10**17)) if random_() < 0.5 else None,
            ids.next() if random_() < 0.3 else None,
            ids.next() if random_() < 0.3 else None,
            created_at,
            max(updated_at, created_at),
            f"[{listed}]",
            "[" + ",".join(f'"{ids.next()}"' for _ in range(groups)) + "]",
            "[" + ",".join(n[5] for n in numbers) + "]",
            # Orders the worker could settle join its queue, as if just created.
            self.now if any(n[2] == PENDING and n[3] for n in numbers) else None,
        )

    def _number(self, rng: RandomIds, ids: IdFamily, recent: bool) -> tuple[Any, ...]:
        """`(id, phone_number, status, requirements met, kind, details JSON)`"""
        random_ = rng.random
        country = self.countries[int(random_() * len(self.countries))]
        kind = self.kind_tables[country][int(random_() * 100)]
        digits = kind.low + int(random_() * kind.span)
        met = random_() < 0.85
        status = PENDING
        if (met or not kind.requirements) and not (recent and random_() < 0.5):
            status = FAILURE if random_() < 0.06 else SUCCESS
        text = str(digits)
        if status == FAILURE:
            text = text[:-4] + ALWAYS_FAILS
        elif digits % 10_000 in _FORCED_ENDINGS:
            text = str(digits + _PAST_FORCED)
        number_id, phone_number = ids.next(), kind.prefix + text
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


_SPAN = 3 * YEAR
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
