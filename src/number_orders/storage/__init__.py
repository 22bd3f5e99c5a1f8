"""Persistence behind a small interface (`interface/`: one Protocol per resource, `Store`
for all), with one SQL implementation (`sql_store.SqlStore`, composed of one part per
resource: `accounts.py`, `number_orders.py`, `webhooks.py`, `webhook_deliveries.py`,
`rate_limits.py`, `available_numbers.py`, ...)."""

from number_orders.storage.interface import (
    AccountStore,
    ApiKeyRecord,
    AvailableNumberStore,
    Change,
    CountKey,
    Extension,
    FailingOrder,
    FulfilledOrder,
    NumberOrderStore,
    NumberReservationStore,
    RateLimitStore,
    RowBatch,
    Settle,
    Store,
    StoredOrder,
    WebhookDeliveryStore,
    WebhookStore,
)

__all__ = [
    "AccountStore",
    "ApiKeyRecord",
    "AvailableNumberStore",
    "Change",
    "CountKey",
    "Extension",
    "FailingOrder",
    "FulfilledOrder",
    "NumberOrderStore",
    "NumberReservationStore",
    "RateLimitStore",
    "RowBatch",
    "Settle",
    "Store",
    "StoredOrder",
    "WebhookDeliveryStore",
    "WebhookStore",
]
