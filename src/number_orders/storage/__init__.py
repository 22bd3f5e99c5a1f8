"""Persistence behind a small interface (`Store`), with one SQL implementation."""

from number_orders.storage.interface import (
    ApiKeyRecord,
    Change,
    FailingOrder,
    FulfilledOrder,
    Settle,
    Store,
    StoredOrder,
)

__all__ = [
    "ApiKeyRecord",
    "Change",
    "FailingOrder",
    "FulfilledOrder",
    "Settle",
    "Store",
    "StoredOrder",
]
