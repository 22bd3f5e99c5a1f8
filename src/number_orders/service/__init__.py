"""Use cases, named after the API operations: one module per resource (`accounts.py`,
`number_orders.py`, `webhooks.py`, `rate_limits.py`), each one transaction per call, and
`NumberOrdersService`, all of them over one store. No HTTP here, and no SQL.
"""

from __future__ import annotations

from number_orders.domain.regulatory import RequirementRules
from number_orders.service.accounts import Accounts, IssuedKey
from number_orders.service.number_orders import NumberOrders, Page
from number_orders.service.phone_numbers import PhoneNumberPage, PhoneNumbers
from number_orders.service.rate_limits import RateLimits
from number_orders.service.recent_keys import RecentKeys
from number_orders.service.webhooks import Webhooks
from number_orders.storage import FulfilledOrder, RowBatch, Store

# What callers of the service handle: its results, and the store it is built on.
__all__ = [
    "FulfilledOrder",
    "IssuedKey",
    "NumberOrdersService",
    "Page",
    "PhoneNumberPage",
    "RowBatch",
    "Store",
]


def _nothing() -> None:
    return None


class NumberOrdersService(Accounts, NumberOrders, Webhooks, RateLimits, PhoneNumbers):
    """Every resource's use cases over one store: what the server, the workers and the
    commands call. A resource adds its class to the bases above, and nothing else here."""

    store: Store

    def __init__(
        self,
        store: Store,
        rules: RequirementRules | None = None,
        fulfilment_delay: float = 0.0,
        auth_cache_seconds: float = 0.0,
    ) -> None:
        self.store = store
        self.recent_keys = RecentKeys(auth_cache_seconds)
        self.rules = rules or RequirementRules()
        self.fulfilment_delay = int(fulfilment_delay * 1_000_000)
        self.fulfilment_due = _nothing

    def check_ready(self) -> None:
        """Raises `StoreUnavailable` unless the store answers."""
        self.store.ping()

    def after_fork(self) -> None:
        """In a forked child process: leave the parent's connections to the parent."""
        self.store.after_fork()

    def close(self) -> None:
        self.store.close()
