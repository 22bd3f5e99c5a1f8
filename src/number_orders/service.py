"""Use cases, named after the API operations. No HTTP here, and no SQL."""

from __future__ import annotations

from dataclasses import dataclass

from number_orders import errors
from number_orders.domain.accounts import Account, new_api_key, secret_matches, split_api_key
from number_orders.domain.listing import ListQuery
from number_orders.domain.orders import NumberOrder
from number_orders.domain.signing import SigningKey, new_signing_key
from number_orders.domain.timestamps import now_micros
from number_orders.domain.webhooks import WebhookEvent, check_webhook_url
from number_orders.storage import ApiKeyRecord, Store


@dataclass(frozen=True, slots=True)
class Page:
    orders: list[NumberOrder]
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

    # -- webhooks ----------------------------------------------------------------------

    def set_webhook_url(self, account_name: str, url: str | None) -> Account:
        """Takes effect at the next delivery attempt: the loops read it at claim time."""
        if url is not None and (problem := check_webhook_url(url)):
            raise ValueError(problem)
        account = self._account(account_name)
        self.store.set_webhook_url(account.account_id, url)
        return Account(account.account_id, account.name, url)

    def ensure_signing_key(self) -> SigningKey:
        return self.store.ensure_signing_key(new_signing_key(now_micros()))

    def rotate_signing_key(self) -> SigningKey:
        key = new_signing_key(now_micros())
        self.store.rotate_signing_key(key)
        return key

    def list_webhook_events(
        self, account_name: str | None, status: str | None, limit: int
    ) -> list[WebhookEvent]:
        account_id = self._account(account_name).account_id if account_name else None
        return self.store.list_webhook_events(account_id, status, limit)

    def redeliver_webhook_event(self, event_id: str) -> WebhookEvent:
        event = self.store.find_webhook_event(event_id)
        if event is None:
            raise LookupError(f"no event {event_id}")
        if not self.store.redeliver_webhook_event(event.account_id, event.id, now_micros()):
            raise ValueError(f"event {event_id} is being delivered right now; try again shortly")
        return event

    def _account(self, name: str) -> Account:
        account = self.store.find_account(name)
        if account is None:
            raise LookupError(f"no account named {name!r}")
        return account
