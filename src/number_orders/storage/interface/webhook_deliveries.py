"""What the service needs from persistence for the webhook deliveries API: the account's
events with their attempts, listed and one by one. Redelivery is the outbox's own
operation (`WebhookStore.redeliver_webhook_event`)."""

from __future__ import annotations

from typing import Protocol

from number_orders.domain.webhook_deliveries import DeliveriesQuery, DeliveryPage, WebhookDelivery


class WebhookDeliveryStore(Protocol):
    def list_webhook_deliveries(self, account_id: str, query: DeliveriesQuery) -> DeliveryPage:
        """One page, newest first, and the exact total, read in one snapshot."""
        ...

    def retrieve_webhook_delivery(
        self, account_id: str, delivery_id: str
    ) -> WebhookDelivery | None: ...
