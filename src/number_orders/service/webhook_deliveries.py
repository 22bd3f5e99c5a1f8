"""Webhook deliveries: the account's webhook events with their attempts, and sending one
again. Another account's delivery, an unknown one and a malformed id are all 404."""

from __future__ import annotations

from dataclasses import replace
from typing import Protocol

from number_orders import errors
from number_orders.domain.orders import parse_order_id
from number_orders.domain.timestamps import now_micros
from number_orders.domain.webhook_deliveries import DeliveriesQuery, DeliveryPage, WebhookDelivery
from number_orders.domain.webhooks import PENDING
from number_orders.storage import WebhookDeliveryStore, WebhookStore


class _Store(WebhookDeliveryStore, WebhookStore, Protocol):
    """Redelivery is the outbox's own operation, as `events redeliver` uses it."""


class WebhookDeliveries:
    store: _Store

    def list_webhook_deliveries(self, account_id: str, query: DeliveriesQuery) -> DeliveryPage:
        return self.store.list_webhook_deliveries(account_id, query)

    def retrieve_webhook_delivery(self, account_id: str, delivery_id: str) -> WebhookDelivery:
        valid_id = parse_order_id(delivery_id)  # any UUID, in its canonical form
        found = self.store.retrieve_webhook_delivery(account_id, valid_id) if valid_id else None
        if found is None:
            raise errors.not_found("No webhook delivery with this id exists.")
        return found

    def redeliver_webhook_delivery(self, account_id: str, delivery_id: str) -> WebhookDelivery:
        """Start a new round of attempts now, as `events redeliver` does; the delivery as
        the reset left it (pending, its earlier attempts kept), not as a delivery loop
        may already have changed it a moment later."""
        found = self.retrieve_webhook_delivery(account_id, delivery_id)
        if not self.store.redeliver_webhook_event(account_id, found.id, now_micros()):
            raise errors.conflict(
                "This webhook delivery has an attempt in flight; redeliver it once that "
                "attempt has finished."
            )
        return replace(found, status=PENDING)
