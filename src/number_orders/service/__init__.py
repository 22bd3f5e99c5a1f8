"""Use cases, named after the API operations: one module per resource in this package,
each one transaction per call, and `NumberOrdersService`, all of them over one store. No
HTTP here, and no SQL.
"""

from __future__ import annotations

from number_orders.domain.available_numbers import Inventory
from number_orders.domain.forced_outcomes import FORCED_FIELD_TYPES
from number_orders.domain.number_reservations import RESERVATION_SECONDS
from number_orders.domain.regulatory import RequirementRules
from number_orders.domain.requirements_catalogue import Catalogue
from number_orders.domain.requirements_status import DAY, DEADLINE_DAYS
from number_orders.service.accounts import Accounts, IssuedKey
from number_orders.service.available_numbers import AvailableNumbers
from number_orders.service.comments import Comments
from number_orders.service.documents import DocumentPage, Documents
from number_orders.service.number_orders import NumberOrders, Page
from number_orders.service.number_reservations import NumberReservations, ReservationPage
from number_orders.service.order_parts import OrderParts
from number_orders.service.phone_numbers import PhoneNumberPage, PhoneNumbers
from number_orders.service.rate_limits import RateLimits
from number_orders.service.recent_keys import RecentKeys
from number_orders.service.requirement_groups import RequirementGroups
from number_orders.service.requirements import RequirementsCatalogue
from number_orders.service.retention import Retention
from number_orders.service.sandbox import Sandbox
from number_orders.service.webhook_deliveries import WebhookDeliveries
from number_orders.service.webhooks import Webhooks
from number_orders.storage import FulfilledOrder, NamedFault, RowBatch, Store

# What callers of the service handle: its results, and the store it is built on.
__all__ = [
    "DocumentPage",
    "FulfilledOrder",
    "IssuedKey",
    "NamedFault",
    "NumberOrdersService",
    "Page",
    "PhoneNumberPage",
    "ReservationPage",
    "RowBatch",
    "Store",
]


def _nothing() -> None:
    return None


class NumberOrdersService(
    Accounts,
    NumberOrders,
    NumberReservations,
    Webhooks,
    WebhookDeliveries,
    RateLimits,
    RequirementsCatalogue,
    RequirementGroups,
    Comments,
    AvailableNumbers,
    Retention,
    Sandbox,
    PhoneNumbers,
    OrderParts,
    Documents,
):
    """Every resource's use cases over one store: what the server, the workers and the
    commands call. A resource adds its class to the bases above, and nothing else here."""

    store: Store

    def __init__(
        self,
        store: Store,
        rules: RequirementRules | None = None,
        fulfilment_delay: float = 0.0,
        deadline_days: float = DEADLINE_DAYS,
        auth_cache_seconds: float = 0.0,
        reservation_seconds: int = RESERVATION_SECONDS,
        inventory: Inventory | None = None,
    ) -> None:
        self.store = store
        self.inventory = inventory or Inventory()
        self.recent_keys = RecentKeys(auth_cache_seconds)
        self.rules = rules or RequirementRules()
        # What the rules publish; the types test numbers need resolve in every country.
        self.catalogue = Catalogue(self.rules, extra_field_types=FORCED_FIELD_TYPES)
        self.fulfilment_delay = int(fulfilment_delay * 1_000_000)
        self.deadline_period = int(deadline_days * DAY)
        self.fulfilment_due = _nothing
        self.reservation_time = reservation_seconds * 1_000_000

    def check_ready(self) -> None:
        """Raises `StoreUnavailable` unless the store answers."""
        self.store.ping()

    def after_fork(self) -> None:
        """In a forked child process: leave the parent's connections to the parent."""
        self.store.after_fork()

    def close(self) -> None:
        self.store.close()
