"""Persistence behind a small interface (`interface/`: one Protocol per resource, `Store`
for all), with one SQL implementation (`sql_store.SqlStore`, composed of one part per
resource: `accounts.py`, `number_orders.py`, `webhooks.py`, `rate_limits.py`)."""

from number_orders.storage.interface import (
    PHONE_NUMBER_COLUMNS,
    AccountStore,
    ApiKeyRecord,
    Change,
    CountKey,
    FulfilledOrder,
    NumberOrderStore,
    PhoneCountKey,
    PhoneNumberChange,
    PhoneNumberStore,
    RateLimitStore,
    RowBatch,
    Settle,
    Store,
    StoredOrder,
    WebhookStore,
    phone_number_counts,
)

__all__ = [
    "PHONE_NUMBER_COLUMNS",
    "AccountStore",
    "ApiKeyRecord",
    "Change",
    "CountKey",
    "FulfilledOrder",
    "NumberOrderStore",
    "PhoneCountKey",
    "PhoneNumberChange",
    "PhoneNumberStore",
    "RateLimitStore",
    "RowBatch",
    "Settle",
    "Store",
    "StoredOrder",
    "WebhookStore",
    "phone_number_counts",
]
