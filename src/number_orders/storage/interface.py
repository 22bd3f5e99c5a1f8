"""What the service needs from persistence, and nothing more."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from number_orders.domain.accounts import Account
from number_orders.domain.listing import ListQuery
from number_orders.domain.orders import NumberOrder, NumberOrderDetail
from number_orders.domain.signing import SigningKey
from number_orders.domain.webhooks import (
    AttemptResult,
    ClaimedEvent,
    DeliveryAttempt,
    NextStep,
    WebhookEvent,
)


@dataclass(frozen=True, slots=True)
class ApiKeyRecord:
    key_id: str
    account_id: str
    secret_hash: str
    created_at: int
    revoked_at: int | None


class Store(Protocol):
    def ping(self) -> None: ...

    def close(self) -> None: ...

    def ensure_account(self, name: str) -> Account: ...

    def find_account(self, name: str) -> Account | None: ...

    def count_accounts(self) -> int: ...

    def add_api_key(self, record: ApiKeyRecord) -> None: ...

    def find_api_key(self, key_id: str) -> ApiKeyRecord | None: ...

    def list_api_keys(self, account_id: str) -> list[ApiKeyRecord]: ...

    def revoke_api_key(self, key_id: str, at: int) -> bool: ...

    def list_number_orders(
        self, account_id: str, query: ListQuery
    ) -> tuple[list[NumberOrder], int]: ...

    def insert_number_orders(self, account_id: str, orders: Iterable[NumberOrderDetail]) -> int: ...

    def set_webhook_url(self, account_id: str, url: str | None) -> bool: ...

    def ensure_signing_key(self, candidate: SigningKey) -> SigningKey: ...

    def active_signing_key(self) -> SigningKey | None: ...

    def rotate_signing_key(self, new_key: SigningKey) -> None: ...

    def list_signing_keys(self) -> list[SigningKey]: ...

    def claim_webhook_events(
        self, now: int, limit: int, lease_micros: int, token: str
    ) -> list[ClaimedEvent]: ...

    def finish_webhook_attempts(self, outcomes: list[tuple[AttemptResult, NextStep]]) -> int: ...

    def list_webhook_events(
        self, account_id: str | None, status: str | None, limit: int
    ) -> list[WebhookEvent]: ...

    def find_webhook_event(self, event_id: str) -> WebhookEvent | None: ...

    def list_webhook_attempts(self, account_id: str, event_id: str) -> list[DeliveryAttempt]: ...

    def count_webhook_events(self, account_id: str) -> dict[str, int]: ...

    def redeliver_webhook_event(self, account_id: str, event_id: str, now: int) -> bool: ...
