"""Use cases, named after the API operations. No HTTP here, and no SQL."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from number_orders import errors
from number_orders.domain.accounts import Account, new_api_key, secret_matches, split_api_key
from number_orders.domain.listing import ListedOrder, ListQuery
from number_orders.domain.timestamps import now_micros
from number_orders.storage import ApiKeyRecord, Store


@dataclass(frozen=True, slots=True)
class Page:
    orders: list[ListedOrder]
    total_results: int
    query: ListQuery

    @property
    def total_pages(self) -> int:
        return self.query.total_pages(self.total_results)


@dataclass(frozen=True, slots=True)
class IssuedKey:
    account: Account
    key_id: str
    token: str


class NumberOrdersService:
    def __init__(self, store: Store, auth_cache_seconds: float = 0.0) -> None:
        self.store = store
        self.recent_keys = RecentKeys(auth_cache_seconds)

    def authenticate(self, token: str) -> str:
        """The account id a bearer token belongs to; 401 for anything else."""
        parts = split_api_key(token)
        if parts is not None:
            key_id, secret = parts
            record = self.store.find_api_key(key_id)
            if record and record.revoked_at is None and secret_matches(secret, record.secret_hash):
                self.recent_keys.remember(token, record.account_id, self.store.revocations)
                return record.account_id
        raise errors.authentication_failed()

    def recently_authenticated(self, token: str) -> str | None:
        """The account of a key that passed `authenticate` moments ago, else None."""
        return self.recent_keys.account_of(token, self.store.revocations)

    def list_number_orders(self, account_id: str, query: ListQuery) -> Page:
        orders, total = self.store.list_number_orders(account_id, query)
        return Page(orders, total, query)

    def create_api_key(self, account_name: str) -> IssuedKey:
        account = self.store.ensure_account(account_name)
        key = new_api_key()
        self.store.add_api_key(
            ApiKeyRecord(key.key_id, account.account_id, key.secret_hash, now_micros(), None)
        )
        return IssuedKey(account, key.key_id, key.token)


class RecentKeys:
    """Keys that passed authentication in the last `seconds`, so most requests skip the
    lookup. A revocation through this process's store takes effect at once (it bumps
    `Store.revocations`); one made by another process takes effect within `seconds`.
    Only successes are kept, only briefly, and nothing else depends on them.
    """

    MAX_KEYS = 10_000

    def __init__(self, seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.seconds = seconds
        self.clock = clock
        self._accounts: dict[str, tuple[str, float]] = {}
        self._revocations = 0

    def remember(self, token: str, account_id: str, revocations: int) -> None:
        if self.seconds <= 0:
            return
        if len(self._accounts) >= self.MAX_KEYS or revocations != self._revocations:
            self._accounts.clear()
            self._revocations = revocations
        self._accounts[token] = (account_id, self.clock() + self.seconds)

    def account_of(self, token: str, revocations: int) -> str | None:
        found = self._accounts.get(token)
        if found is None or revocations != self._revocations or found[1] < self.clock():
            return None
        return found[0]
