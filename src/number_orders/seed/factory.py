"""Realistic orders from one seedable source of randomness, obeying the domain's rules.

Numbers come from the vocabulary's templates. Failed numbers end in 0000, no other number
ends in a forced-outcome suffix, and unmet requirements keep numbers pending, exactly as
the fulfilment rules would have left them. Loaded orders that the worker could still
settle join its queue (`insert_number_orders`).
"""

from __future__ import annotations

from collections.abc import Iterator

from number_orders.domain.forced_outcomes import ALWAYS_FAILS, FORCED_SUFFIXES
from number_orders.domain.ids import RandomIds
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
from number_orders.domain.timestamps import now_micros
from number_orders.seed.vocabulary import (
    COUNT_WEIGHTS,
    COUNTRY_WEIGHTS,
    KIND_WEIGHTS,
    REFERENCES,
    YEAR,
    Template,
    templates,
)


class OrderFactory:
    """Makes orders; the same seed makes the same orders."""

    def __init__(self, seed: int | None = None, rules: RequirementRules | None = None) -> None:
        self.rng = RandomIds(seed)
        self.rules = rules or RequirementRules()
        self.now = now_micros()
        self.references = REFERENCES
        self._by_country: dict[str, list[Template]] = {t.country_code: [] for t in templates()}
        for t in templates():
            self._by_country[t.country_code].append(t)
        self._countries = [c for c in COUNTRY_WEIGHTS if c in self._by_country]
        self._country_weights = [COUNTRY_WEIGHTS[c] for c in self._countries]

    def uuid(self) -> str:
        return self.rng.uuid4()

    def orders(self, count: int) -> Iterator[NumberOrderDetail]:
        for _ in range(count):
            yield self.order()

    def order(self) -> NumberOrderDetail:
        rng = self.rng
        created_at = self.now - int(rng.random() * 3 * YEAR)
        size = rng.choices(range(1, 11), COUNT_WEIGHTS)[0]
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
        template = rng.choices(options, KIND_WEIGHTS[: len(options)])[0]
        low = 10 ** (template.free_digits - 1)
        digits = str(rng.randrange(max(low, 1000), 10**template.free_digits))
        if digits.endswith(FORCED_SUFFIXES):
            # Forced outcomes keep their documented paths; an ordinary number never ends so.
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
