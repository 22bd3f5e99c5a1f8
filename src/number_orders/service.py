"""Use cases, named after the API operations. No HTTP here, and no SQL."""

from __future__ import annotations

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
    def __init__(self, store: Store) -> None:
        self.store = store

    def authenticate(self, token: str) -> str:
        """The account id a bearer token belongs to; 401 for anything else."""
        parts = split_api_key(token)
        if parts is not None:
            key_id, secret = parts
            record = self.store.find_api_key(key_id)
            if record and record.revoked_at is None and secret_matches(secret, record.secret_hash):
                return record.account_id
        raise errors.authentication_failed()

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
