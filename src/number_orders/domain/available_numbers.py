"""Number search: `GET /available_phone_numbers` and `GET /available_phone_number_blocks`.

The inventory is every number `phonenumbers` considers valid, of a type the API knows,
in the supported countries; where a type is geographic, within the areas its geocoder
names. Nothing is stored: numbers are drawn in a deterministic order from the inventory
seed and the query, and the caller's store says which of them are not free
(`HeldNumbers`). The rules live in `domain.inventory`; this module is what the service
calls.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from number_orders.domain.inventory.blocks import Block, search_blocks
from number_orders.domain.inventory.candidates import Found
from number_orders.domain.inventory.catalogue import (
    PHONE_NUMBER_TYPES,
    has_numbering_plan,
    type_catalogue,
)
from number_orders.domain.inventory.query import BlockQuery, SearchQuery
from number_orders.domain.inventory.records import blocks_response, numbers_response
from number_orders.domain.inventory.search import HeldNumbers, search
from number_orders.domain.inventory.tables import SUPPORTED_COUNTRIES

__all__ = [
    "DEFAULT_SEED",
    "SUPPORTED_COUNTRIES",
    "Block",
    "BlockQuery",
    "Found",
    "HeldNumbers",
    "Inventory",
    "SearchQuery",
    "parse_countries",
]

DEFAULT_SEED = "number-orders"


@dataclass(frozen=True, slots=True)
class Inventory:
    """The numbers on offer. Another `seed` draws other numbers from the same plans."""

    seed: str = DEFAULT_SEED
    countries: tuple[str, ...] = SUPPORTED_COUNTRIES

    def list_available_phone_numbers(self, query: SearchQuery, held: HeldNumbers) -> dict[str, Any]:
        """The response body: `data`, `meta` and `metadata`."""
        return numbers_response(self.search_numbers(query, held))

    def list_available_phone_number_blocks(
        self, query: BlockQuery, held: HeldNumbers
    ) -> dict[str, Any]:
        """The response body: `data` and `meta`."""
        return blocks_response(self.search_blocks(query, held))

    def search_numbers(self, query: SearchQuery, held: HeldNumbers) -> list[Found]:
        return search(query, self.countries, self.seed, held)

    def search_blocks(self, query: BlockQuery, held: HeldNumbers) -> list[Block]:
        return search_blocks(query.as_search(), self.countries, self.seed, held)

    def warm(self) -> None:
        """Build every catalogue now, rather than in the first search of each country
        (the geocoder data alone takes a second or two to load)."""
        for country in self.countries:
            self.warm_country(country)

    def warm_country(self, country: str) -> None:
        """Build the catalogues a search of `country` reads (none outside `countries`)."""
        if country in self.countries:
            for name in PHONE_NUMBER_TYPES:
                type_catalogue(country, name)


def parse_countries(text: str) -> tuple[str, ...]:
    """Supported countries from configuration text: ISO alpha-2 codes separated by
    commas ("US,CA,GB"); "" means the defaults."""
    if not text.strip():
        return SUPPORTED_COUNTRIES
    countries = tuple(dict.fromkeys(c.strip().upper() for c in text.split(",")))
    for country in countries:
        if not (len(country) == 2 and country.isascii() and country.isalpha()):
            raise ValueError(f"inventory country {country!r} is not an ISO alpha-2 code")
        if not has_numbering_plan(country):
            raise ValueError(f"inventory country {country!r} has no numbering plan")
    return countries
