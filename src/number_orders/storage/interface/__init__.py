"""What the service needs from persistence, and nothing more: one Protocol per resource
(`accounts.py`, `number_orders.py`, ...), and `Store`, all of them together.

Nothing here imports SQL: the service and the worker see only these types.
"""

from __future__ import annotations

from typing import Protocol

from number_orders.storage.interface.accounts import AccountStore, ApiKeyRecord
from number_orders.storage.interface.available_numbers import AvailableNumberStore
from number_orders.storage.interface.comments import CommentChange, CommentStore, Write
from number_orders.storage.interface.documents import DocumentChange, DocumentStore
from number_orders.storage.interface.number_orders import (
    Change,
    CountKey,
    FailingOrder,
    FulfilledOrder,
    NumberOrderStore,
    RowBatch,
    Settle,
    StoredOrder,
)
from number_orders.storage.interface.number_reservations import (
    Extension,
    NumberReservationStore,
)
from number_orders.storage.interface.order_parts import OrderPart, OrderPartStore
from number_orders.storage.interface.phone_numbers import (
    PHONE_NUMBER_COLUMNS,
    PhoneCountKey,
    PhoneNumberChange,
    PhoneNumberStore,
    phone_number_counts,
)
from number_orders.storage.interface.rate_limits import RateLimitStore
from number_orders.storage.interface.requirement_groups import (
    GroupChange,
    RequirementGroupStore,
    Review,
    Reviewed,
)
from number_orders.storage.interface.sandbox import NamedFault, SandboxState, SandboxStore
from number_orders.storage.interface.webhook_deliveries import WebhookDeliveryStore
from number_orders.storage.interface.webhooks import WebhookStore

__all__ = [
    "PHONE_NUMBER_COLUMNS",
    "AccountStore",
    "ApiKeyRecord",
    "AvailableNumberStore",
    "Change",
    "CommentChange",
    "CommentStore",
    "CountKey",
    "DocumentChange",
    "DocumentStore",
    "Extension",
    "FailingOrder",
    "FulfilledOrder",
    "GroupChange",
    "NamedFault",
    "NumberOrderStore",
    "NumberReservationStore",
    "OrderPart",
    "OrderPartStore",
    "PhoneCountKey",
    "PhoneNumberChange",
    "PhoneNumberStore",
    "RateLimitStore",
    "RequirementGroupStore",
    "Review",
    "Reviewed",
    "RowBatch",
    "SandboxState",
    "SandboxStore",
    "Settle",
    "Store",
    "StoredOrder",
    "WebhookDeliveryStore",
    "WebhookStore",
    "Write",
    "phone_number_counts",
]


class Store(
    AccountStore,
    NumberOrderStore,
    NumberReservationStore,
    WebhookStore,
    WebhookDeliveryStore,
    RateLimitStore,
    RequirementGroupStore,
    CommentStore,
    AvailableNumberStore,
    SandboxStore,
    PhoneNumberStore,
    OrderPartStore,
    DocumentStore,
    Protocol,
):
    """Every resource's store, and the connection to it as a whole."""

    def ping(self) -> None: ...

    def close(self) -> None: ...

    def after_fork(self) -> None:
        """In a forked child: leave the parent's connections to the parent."""
        ...
