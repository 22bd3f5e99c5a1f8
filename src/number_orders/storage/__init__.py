"""Persistence behind a small interface (`Store`), with one SQL implementation."""

from number_orders.storage.interface import (
    ApiKeyRecord,
    Change,
    FulfilledOrder,
    Settle,
    Store,
    StoredOrder,
)

__all__ = ["ApiKeyRecord", "Change", "FulfilledOrder", "Settle", "Store", "StoredOrder"]
