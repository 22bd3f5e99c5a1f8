"""Webhooks: the server's signing keys, the delivery loops' claims and outcomes, and the
operator's view of the outbox."""

from __future__ import annotations

from typing import Protocol

from number_orders.domain.ids import hex_token
from number_orders.domain.signing import SigningKey, new_signing_key
from number_orders.domain.timestamps import now_micros
from number_orders.domain.webhooks import (
    AttemptResult,
    ClaimedEvent,
    DeliveryAttempt,
    NextStep,
    WebhookEvent,
)
from number_orders.service.accounts import account_named
from number_orders.storage import AccountStore, WebhookStore


class _Store(WebhookStore, AccountStore, Protocol):
    """Events are listed by account name, so accounts are looked up too."""


class Webhooks:
    store: _Store

    # -- signing keys ------------------------------------------------------------------

    def ensure_signing_key(self) -> SigningKey:
        return self.store.ensure_signing_key(new_signing_key(now_micros()))

    def rotate_signing_key(self) -> SigningKey:
        key = new_signing_key(now_micros())
        self.store.rotate_signing_key(key)
        return key

    def list_signing_keys(self) -> list[SigningKey]:
        """Newest first: the active key, then the retired ones."""
        return self.store.list_signing_keys()

    # -- delivery ----------------------------------------------------------------------

    def claim_webhook_events(
        self, now: int, limit: int, lease_micros: int, per_account: int = 0
    ) -> list[ClaimedEvent]:
        """Due events no other loop holds, each leased to this claim until `now +
        lease_micros`; only the claim's token may record their outcome. With
        `per_account`, no account has more than that many attempts in flight over every
        loop together."""
        return self.store.claim_webhook_events(now, limit, lease_micros, hex_token(), per_account)

    def next_webhook_attempt_at(self) -> int | None:
        """When the next attempt is due (one in flight counts as due now); None: none."""
        return self.store.next_webhook_attempt_at()

    def finish_webhook_attempts(self, outcomes: list[tuple[AttemptResult, NextStep]]) -> int:
        return self.store.finish_webhook_attempts(outcomes)

    def delivery_signing_key(self, now: int) -> SigningKey:
        """The key to sign with now; read per claim, so a rotation applies to the next
        attempt in every process."""
        return self.store.active_signing_key() or self.store.ensure_signing_key(
            new_signing_key(now)
        )

    def outbox_depth(self) -> int:
        return self.store.outbox_depth()

    # -- the outbox, for operators -----------------------------------------------------

    def list_webhook_events(
        self, account_name: str | None, status: str | None, limit: int
    ) -> list[WebhookEvent]:
        account_id = account_named(self.store, account_name).account_id if account_name else None
        return self.store.list_webhook_events(account_id, status, limit)

    def count_webhook_events(self, account_id: str) -> dict[str, int]:
        """The account's events by status."""
        return self.store.count_webhook_events(account_id)

    def show_webhook_event(self, event_id: str) -> tuple[WebhookEvent, list[DeliveryAttempt]]:
        """An event and its attempts, oldest first; LookupError if there is no such event."""
        event = self._event(event_id)
        return event, self.store.list_webhook_attempts(event.account_id, event.id)

    def redeliver_webhook_event(self, event_id: str) -> WebhookEvent:
        event = self._event(event_id)
        if not self.store.redeliver_webhook_event(event.account_id, event.id, now_micros()):
            raise ValueError(f"event {event_id} is being delivered right now; try again shortly")
        return event

    def _event(self, event_id: str) -> WebhookEvent:
        event = self.store.find_webhook_event(event_id)
        if event is None:
            raise LookupError(f"no event {event_id}")
        return event
