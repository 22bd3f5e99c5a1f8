"""Persistence behind a small interface (`interface/`: one Protocol per resource, `Store`
for all), with one SQL implementation (`sql_store.SqlStore`, composed of one part per
resource: `accounts.py`, `number_orders.py`, `webhooks.py`, `rate_limits.py`,
`available_numbers.py`)."""

from number_orders.storage.interface import (
    AccountStore,
    ApiKeyRecord,
    AvailableNumberStore,
    Change,
    CountKey,
    FulfilledOrder,
    NumberOrderStore,
    RateLimitStore,
    RowBatch,
    Settle,
    Store,
    StoredOrder,
    WebhookStore,
)

__all__ = [
    "AccountStore",
    "ApiKeyRecord",
    "AvailableNumberStore",
    "Change",
    "CountKey",
    "FulfilledOrder",
    "NumberOrderStore",
    "RateLimitStore",
    "RowBatch",
    "Settle",
    "Store",
    "StoredOrder",
    "WebhookStore",
]
