"""Realistic orders from one seedable source of randomness, obeying the domain's rules.

Numbers come from per-country templates checked once against the numbering plans, so
bulk generation never calls the (slow) validator per number. Failed numbers end in
0000, no other number ends like a test number, and unmet requirements keep numbers
pending, exactly as the fulfilment rules would have left them. Loaded orders that the
worker could still settle join its queue (`SqlStore.insert_number_orders`).
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache

from number_orders.domain.ids import RandomIds
from number_orders.domain.numbering import classify, example_number
from number_orders.domain.orders import (
    FAILURE,
    PENDING,
    SUCCESS,
    NumberOrder,
    NumberOrderDetail,
    OrderedNumber,
    RegulatoryRequirement,
    derive_order_state,
)
from number_orders.domain.regulatory import RequirementRules
from number_orders.domain.test_numbers import ALWAYS_FAILS, TEST_SUFFIXES
from number_orders.domain.timestamps import now_micros

_YEAR = 365 * 86_400 * 1_000_000
_COUNTRY_WEIGHTS = {
    "US": 50,
    "CA": 10,
    "GB": 10,
    "DE": 8,
    "FR": 6,
    "AU": 5,
    "NL": 4,
    "BR": 4,
    "JP": 3,
}
_KINDS = ("local", "mobile", "toll_free")
_KIND_WEIGHTS = (70, 20, 10)
_COUNT_WEIGHTS = (40, 18, 12, 8, 6, 5, 4, 3, 2, 2)  # 1..10 numbers per order
_REFERENCE_WORDS = ("acme", "globex", "initech", "umbrella", "hooli", "stark", "wayne", "wonka")


@dataclass(frozen=True, slots=True)
class Template:
    country_code: str
    phone_number_type: str
    prefix: str
    free_digits: int


@cache
def templates() -> tuple[Template, ...]:
    found = []
    for country in _COUNTRY_WEIGHTS:
        for kind in _KINDS:
            template = _template(country, kind)
            if template is not None:
                found.append(template)
    return tuple(found)


def _template(country: str, kind: str) -> Template | None:
    example = example_number(country, kind)
    if example is None:
        return None
    probe = random.Random(f"{country}{kind}")
    for free in (6, 5, 4):
        prefix = example[:-free]
        samples = [prefix + str(probe.randrange(10 ** (free - 1), 10**free)) for _ in range(12)]
        classified = [classify(s) for s in samples]
        if all(c and c.country_code == country and c.phone_number_type == kind for c in classified):
            return Template(country, kind, prefix, free)
    return None


class OrderFactory:
    """Makes orders; the same seed makes the same orders."""

    def __init__(self, seed: int | None = None, rules: RequirementRules | None = None) -> None:
        self.rng = RandomIds(seed)
        self.rules = rules or RequirementRules()
        self.now = now_micros()
        self.references = [f"{w}-{i:03d}" for w in _REFERENCE_WORDS for i in range(40)]
        self._by_country = {t.country_code: [] for t in templates()}  # type: dict[str, list[Template]]
        for t in templates():
            self._by_country[t.country_code].append(t)
        self._countries = [c for c in _COUNTRY_WEIGHTS if c in self._by_country]
        self._country_weights = [_COUNTRY_WEIGHTS[c] for c in self._countries]

    def uuid(self) -> str:
        return self.rng.uuid4()

    def orders(self, count: int) -> Iterator[NumberOrderDetail]:
        for _ in range(count):
            yield self.order()

    def order(self) -> NumberOrderDetail:
        rng = self.rng
        created_at = self.now - int(rng.random() * 3 * _YEAR)
        size = rng.choices(range(1, 11), _COUNT_WEIGHTS)[0]
        recent = self.now - created_at < 120_000_000
        numbers = [self._number(recent) for _ in range(size)]
        status, requirements_met = derive_order_state(numbers)
        groups = {(n.country_code, n.phone_number_type) for n in numbers}
        updated_at = min(self.now, created_at + int(rng.random() * 30 * 86_400_000_000) + 1)
        order = NumberOrder(
            id=self.uuid(),
            status=status,
            requirements_met=requirements_met,
            phone_numbers_count=size,
            created_at=created_at,
            updated_at=max(updated_at, created_at),
            phone_numbers=[(n.id, n.phone_number) for n in numbers],
            sub_number_orders_ids=[self.uuid() for _ in sorted(groups)],
            customer_reference=rng.choice(self.references) if rng.random() < 0.85 else None,
            connection_id=str(rng.randrange(10**17, 10**18)) if rng.random() < 0.5 else None,
            messaging_profile_id=self.uuid() if rng.random() < 0.3 else None,
            billing_group_id=self.uuid() if rng.random() < 0.3 else None,
        )
        return NumberOrderDetail(order, numbers)

    def _number(self, recent: bool) -> OrderedNumber:
        rng = self.rng
        country = rng.choices(self._countries, self._country_weights)[0]
        options = self._by_country[country]
        template = rng.choices(options, _KIND_WEIGHTS[: len(options)])[0]
        low = 10 ** (template.free_digits - 1)
        digits = str(rng.randrange(max(low, 1000), 10**template.free_digits))
        if digits.endswith(TEST_SUFFIXES):
            # Test numbers keep their documented paths; an ordinary number never ends so.
            digits = digits[:-1] + "5"
        requirements = self.rules.requirements_for(country)
        met = rng.random() < 0.85
        if met:
            requirements = [
                RegulatoryRequirement(r.requirement_id, r.field_type, self.uuid())
                for r in requirements
            ]
        status = PENDING
        if (met or not requirements) and not (recent and rng.random() < 0.5):
            status = FAILURE if rng.random() < 0.06 else SUCCESS
        if status == FAILURE:
            digits = digits[:-4] + ALWAYS_FAILS
        return OrderedNumber(
            id=self.uuid(),
            phone_number=template.prefix + digits,
            country_code=country,
            phone_number_type=template.phone_number_type,
            status=status,
            regulatory_requirements=requirements,
        )
