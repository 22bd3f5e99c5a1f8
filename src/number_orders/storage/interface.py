"""What the service needs from persistence, and nothing more."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from number_orders.domain.accounts import Account
from number_orders.domain.listing import ListedOrder, ListQuery
from number_orders.domain.orders import NumberOrderDetail


@dataclass(frozen=True, slots=True)
class ApiKeyRecord:
    key_id: str
    account_id: str
    secret_hash: str
    created_at: int
    revoked_at: int | None


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

    def insert_number_orders(self, account_id: str, orders: Iterable[NumberOrderDetail]) -> int: ...
