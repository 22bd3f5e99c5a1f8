"""What the service needs from persistence for webhooks: the outbox of events, their
delivery attempts, and the server's signing keys."""

from __future__ import annotations

from typing import Protocol

from number_orders.domain.signing import SigningKey
from number_orders.domain.webhooks import (
    AttemptResult,
    ClaimedEvent,
    DeliveryAttempt,
    NextStep,
    WebhookEvent,
)


class WebhookStore(Protocol):
    def outbox_depth(self) -> int: ...

    def ensure_signing_key(self, candidate: SigningKey) -> SigningKey: ...

    def active_signing_key(self) -> SigningKey | None: ...

    def rotate_signing_key(self, new_key: SigningKey) -> None: ...

    def list_signing_keys(self) -> list[SigningKey]: ...

    def next_webhook_attempt_at(self) -> int | None: ...

    def claim_webhook_events(
        self, now: int, limit: int, lease_micros: int, token: str, per_account: int = 0
    ) -> list[ClaimedEvent]: ...

    def finish_webhook_attempts(self, outcomes: list[tuple[AttemptResult, NextStep]]) -> int: ...

    def list_webhook_events(
        self, account_id: str | None, status: str | None, limit: int
    ) -> list[WebhookEvent]: ...

    def find_webhook_event(self, event_id: str) -> WebhookEvent | None: ...

    def list_webhook_attempts(self, account_id: str, event_id: str) -> list[DeliveryAttempt]: ...

    def count_webhook_events(self, account_id: str) -> dict[str, int]: ...

    def redeliver_webhook_event(self, account_id: str, event_id: str, now: int) -> bool: ...
