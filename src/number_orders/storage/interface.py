"""What the service needs from persistence, and nothing more."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Protocol

from number_orders.domain.accounts import Account
from number_orders.domain.fulfilment import Settlement
from number_orders.domain.idempotency import IdempotencyKey, PriorRequest
from number_orders.domain.listing import ListedOrder, ListQuery
from number_orders.domain.orders import NumberOrderDetail
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


@dataclass(frozen=True, slots=True)
class StoredOrder:
    """An order and when the fulfilment worker should next look at it (None: never)."""

    detail: NumberOrderDetail
    fulfil_at: int | None


@dataclass(frozen=True, slots=True)
class FulfilledOrder:
    """An order the worker has just processed."""

    account_id: str
    detail: NumberOrderDetail
    settled: bool  # True when this step took it from pending to success or failure


@dataclass(frozen=True, slots=True)
class FailingOrder:
    """A queued order whose settling failed: how often in a row, why, and when it is
    tried again."""

    account_id: str
    order_id: str
    failures: int
    error: str
    retry_at: int


# Runs inside the store's transaction with the order row locked: the new state, or None
# when nothing changes. It may raise (an ApiError) to leave the order as it was.
Change = Callable[[StoredOrder], StoredOrder | None]
# `take(phone_number)` claims a number for the order's account, inside the same transaction.
Settle = Callable[[NumberOrderDetail, Callable[[str], bool]], Settlement]


class Store(Protocol):
    # Bumped by every `revoke_api_key` through this object, so caches of keys can tell.
    revocations: int

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
    ) -> tuple[list[ListedOrder], int]: ...

    def list_is_quick(self, query: ListQuery) -> bool:
        """Whether `list_number_orders` for `query` answers in well under a millisecond
        without waiting on anything, so a caller may run it without a thread hop."""
        ...

    def outbox_depth(self) -> int: ...

    def lease_rate_tokens(
        self, account_id: str, key_id: str, window_start: int, wanted: int
    ) -> int: ...

    def insert_number_orders(self, account_id: str, orders: Iterable[NumberOrderDetail]) -> int: ...

    def set_webhook_url(self, account_id: str, url: str | None) -> bool: ...

    def ensure_signing_key(self, candidate: SigningKey) -> SigningKey: ...

    def active_signing_key(self) -> SigningKey | None: ...

    def rotate_signing_key(self, new_key: SigningKey) -> None: ...

    def list_signing_keys(self) -> list[SigningKey]: ...

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
    def create_number_order(
        self,
        account_id: str,
        order: StoredOrder,
        idempotency: IdempotencyKey | None,
    ) -> PriorRequest | None:
        """Insert the order, reserve its numbers and count it, in one transaction; if the
        idempotency key was used before, write nothing and say what it was used for."""
        ...

    def retrieve_number_order(self, account_id: str, order_id: str) -> NumberOrderDetail | None: ...

    def update_number_order(
        self, account_id: str, order_id: str, change: Change
    ) -> NumberOrderDetail | None:
        """Apply `change` under a row lock; the order as it is afterwards, None if unknown."""
        ...

    def fulfil_due_orders(self, now: int, limit: int, settle: Settle) -> list[FulfilledOrder]:
        """Claim up to `limit` orders due by `now` that no other worker holds, settle them,
        and take them off the queue, all in one transaction."""
        ...

    def next_fulfilment_at(self) -> int | None: ...

    def failing_orders(self, limit: int) -> list[FailingOrder]: ...

    # Retention: each call deletes one bounded batch in a short transaction.
    def expire_idempotency_keys(self, before: int, limit: int = 500) -> int: ...

    def prune_webhook_events(self, before: int, limit: int) -> tuple[int, int]: ...

    def prune_empty_tallies(self, limit: int) -> dict[str, int]: ...
