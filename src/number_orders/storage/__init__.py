"""Persistence behind a small interface (`Store`), with one SQL implementation."""

from number_orders.storage.interface import ApiKeyRecord, Store

__all__ = ["ApiKeyRecord", "Store"]
