"""Use cases, named after the API operations. No HTTP here, and no SQL."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from number_orders import errors
from number_orders.domain.accounts import Account, new_api_key, secret_matches, split_api_key
from number_orders.domain.creating import NewOrder, build_order
from number_orders.domain.fulfilment import has_work, settle
from number_orders.domain.idempotency import HEADER, RETENTION_MICROS, IdempotencyKey
from number_orders.domain.listing import ListedOrder, ListQuery
from number_orders.domain.orders import NumberOrderDetail, parse_order_id
from number_orders.domain.regulatory import RequirementRules
from number_orders.domain.signing import SigningKey, new_signing_key
from number_orders.domain.timestamps import now_micros
from number_orders.domain.updating import OrderUpdate
from number_orders.domain.webhooks import WebhookEvent, check_webhook_url
from number_orders.storage import ApiKeyRecord, FulfilledOrder, Store, StoredOrder


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


def _nothing() -> None:
    return None


class NumberOrdersService:
    def __init__(
        self,
        store: Store,
        rules: RequirementRules | None = None,
        fulfilment_delay: float = 0.0,
        auth_cache_seconds: float = 0.0,
    ) -> None:
        self.store = store
        self.recent_keys = RecentKeys(auth_cache_seconds)
        self.rules = rules or RequirementRules()
        self.fulfilment_delay = int(fulfilment_delay * 1_000_000)
        # Nudges an in-process worker when work is queued; other processes poll.
        self.fulfilment_due: Callable[[], None] = _nothing

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

    def check_ready(self) -> None:
        """Raises `StoreUnavailable` unless the store answers."""
        self.store.ping()

    def lease_rate_tokens(
        self, account_id: str, key_id: str, window_start: int, wanted: int
    ) -> int:
        return self.store.lease_rate_tokens(account_id, key_id, window_start, wanted)

    def outbox_depth(self) -> int:
        return self.store.outbox_depth()

    def list_number_orders(self, account_id: str, query: ListQuery) -> Page:
        orders, total = self.store.list_number_orders(account_id, query)
        return Page(orders, total, query)

    def list_is_quick(self, query: ListQuery) -> bool:
        return self.store.list_is_quick(query)

    def create_number_order(
        self, account_id: str, new: NewOrder, idempotency: IdempotencyKey | None = None
    ) -> NumberOrderDetail:
        """A new pending order; with a key used before, the order that key made."""
        now = now_micros()
        detail = build_order(new, self.rules, now)
        stored = StoredOrder(detail, self._due(detail, now))
        prior = self.store.create_number_order(account_id, stored, idempotency)
        if prior is None:
            self._queued(stored)
            return detail
        assert idempotency is not None
        if prior.fingerprint != idempotency.fingerprint:
            raise errors.idempotency_key_reused(HEADER)
        return self.retrieve_number_order(account_id, prior.order_id)

    def retrieve_number_order(self, account_id: str, order_id: str) -> NumberOrderDetail:
        """The caller's order; unknown, malformed and other accounts' ids are all 404."""
        valid_id = parse_order_id(order_id)
        detail = self.store.retrieve_number_order(account_id, valid_id) if valid_id else None
        if detail is None:
            raise _order_not_found()
        return detail

    def update_number_order(
        self, account_id: str, order_id: str, update: OrderUpdate
    ) -> NumberOrderDetail:
        now = now_micros()

        def change(stored: StoredOrder) -> StoredOrder | None:
            detail = update.apply(stored.detail, now)
            if detail is None:
                return None
            # Supplying requirements can give the worker something to do again.
            due = stored.fulfil_at if stored.fulfil_at is not None else self._due(detail, now)
            return StoredOrder(detail, due)

        valid_id = parse_order_id(order_id)
        result = self.store.update_number_order(account_id, valid_id, change) if valid_id else None
        if result is None:
            raise _order_not_found()
        self.fulfilment_due()
        return result

    def fulfil_due_orders(self, limit: int) -> list[FulfilledOrder]:
        """Settle up to `limit` due orders that no other worker is settling."""
        now = now_micros()
        return self.store.fulfil_due_orders(
            now, limit, lambda detail, take: settle(detail, take, now)
        )

    def next_fulfilment_at(self) -> int | None:
        return self.store.next_fulfilment_at()

    def expire_idempotency_keys(self) -> int:
        return self.store.expire_idempotency_keys(now_micros() - RETENTION_MICROS)

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

    def _due(self, detail: NumberOrderDetail, now: int) -> int | None:
        return now + self.fulfilment_delay if has_work(detail.numbers) else None

    def _queued(self, stored: StoredOrder) -> None:
        if stored.fulfil_at is not None:
            self.fulfilment_due()


def _order_not_found() -> errors.ApiError:
    return errors.not_found("No number order with this id exists.")


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
