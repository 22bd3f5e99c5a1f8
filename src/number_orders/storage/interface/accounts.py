"""What the service needs from persistence for accounts and their API keys."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from number_orders.domain.accounts import Account


@dataclass(frozen=True, slots=True)
class ApiKeyRecord:
    key_id: str
    account_id: str
    secret_hash: str
    created_at: int
    revoked_at: int | None


class AccountStore(Protocol):
    # Bumped by every `revoke_api_key` through this object, so caches of keys can tell.
    revocations: int

    def ensure_account(self, name: str) -> Account: ...

    def find_account(self, name: str) -> Account | None: ...

    def count_accounts(self) -> int: ...

    def set_webhook_url(self, account_id: str, url: str | None) -> bool: ...

    def add_api_key(self, record: ApiKeyRecord) -> None: ...

    def find_api_key(self, key_id: str) -> ApiKeyRecord | None: ...

    def list_api_keys(self, account_id: str) -> list[ApiKeyRecord]: ...

    def revoke_api_key(self, key_id: str, at: int) -> bool: ...
