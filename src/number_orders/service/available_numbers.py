"""Number search: the inventory on offer, and what the caller's store holds of it."""

from __future__ import annotations

import threading
from functools import partial
from typing import Any

from number_orders.domain.available_numbers import BlockQuery, Inventory, SearchQuery
from number_orders.domain.timestamps import now_micros
from number_orders.storage import AvailableNumberStore

# A country's catalogues take seconds to build and are kept for the life of the process,
# so they are built one country at a time: a search that needs a country being built
# waits for it instead of building it a second time beside the builder.
_building = threading.Lock()
_built: set[tuple[Inventory, str]] = set()


class AvailableNumbers:
    store: AvailableNumberStore
    inventory: Inventory

    def list_available_phone_numbers(self, account_id: str, query: SearchQuery) -> dict[str, Any]:
        """The response body: up to `query.limit` numbers free for the account."""
        self._build(query.country_code)
        search = partial(self.inventory.list_available_phone_numbers, query)
        return self.store.search_available_numbers(account_id, now_micros(), search)

    def list_available_phone_number_blocks(
        self, account_id: str, query: BlockQuery
    ) -> dict[str, Any]:
        """The response body: blocks of consecutive numbers free for the account."""
        self._build(query.country_code)
        search = partial(self.inventory.list_available_phone_number_blocks, query)
        return self.store.search_available_numbers(account_id, now_micros(), search)

    def warm_inventory(self) -> None:
        """Build what searches read (seconds of work), so that no search waits for it."""
        for country in self.inventory.countries:
            self._build(country)

    def _build(self, country: str) -> None:
        if (self.inventory, country) not in _built:
            with _building:
                self.inventory.warm_country(country)
                _built.add((self.inventory, country))
