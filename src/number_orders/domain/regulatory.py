"""Which numbers need regulatory information before they can be activated.

By default every country outside the US and Canada needs an address, as at Telnyx.
The table is data so operators can configure it (`RequirementRules.parse`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from number_orders.domain.ids import stable_id
from number_orders.domain.orders import RegulatoryRequirement

NO_REQUIREMENTS_COUNTRIES = frozenset({"US", "CA"})
# The field types the official clients know (`SubNumberOrderRegulatoryRequirement`).
FIELD_TYPES = frozenset({"address", "document", "textual", "datetime"})
_COUNTRY = re.compile(r"[A-Z]{2}", re.ASCII)


def requirement_id(country_code: str, field_type: str) -> str:
    """A stable id per (country, field type), so the same requirement has the same id."""
    return stable_id(f"{country_code}:{field_type}")


@dataclass(frozen=True, slots=True)
class RequirementRules:
    """Field types needed per country; countries not listed use `default`."""

    by_country: Mapping[str, tuple[str, ...]] = field(
        default_factory=lambda: {c: () for c in NO_REQUIREMENTS_COUNTRIES}
    )
    default: tuple[str, ...] = ("address",)

    def field_types(self, country_code: str) -> tuple[str, ...]:
        return self.by_country.get(country_code, self.default)

    def requirements_for(
        self, country_code: str, extra: tuple[str, ...] = ()
    ) -> list[RegulatoryRequirement]:
        types = dict.fromkeys((*self.field_types(country_code), *extra))
        return [RegulatoryRequirement(requirement_id(country_code, t), t) for t in types]

    @classmethod
    def parse(cls, text: str) -> RequirementRules:
        """`US=,CA=,GB=address+document,*=address`: countries and the fields they need.

        An empty text means the defaults. Raises ValueError naming the first bad entry.
        """
        if not text.strip():
            return cls()
        by_country: dict[str, tuple[str, ...]] = {}
        default: tuple[str, ...] = ("address",)
        for entry in filter(None, (e.strip() for e in text.split(","))):
            country, equals, fields = entry.partition("=")
            country = country.strip().upper()
            types = tuple(t.strip() for t in fields.split("+") if t.strip())
            if not equals or not (country == "*" or _COUNTRY.fullmatch(country)):
                raise ValueError(f"requirement rule {entry!r} must look like CC=field+field")
            unknown = set(types) - FIELD_TYPES
            if unknown:
                raise ValueError(
                    f"requirement rule {entry!r}: field types must be among "
                    f"{', '.join(sorted(FIELD_TYPES))}"
                )
            if country == "*":
                default = types
            else:
                by_country[country] = types
        return cls(by_country, default)
