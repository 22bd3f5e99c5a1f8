"""Accounts and their API keys: authentication, keys, and an account's settings."""

from __future__ import annotations

from dataclasses import dataclass

from number_orders import errors
from number_orders.domain.accounts import Account, new_api_key, secret_matches, split_api_key
from number_orders.domain.timestamps import now_micros
from number_orders.domain.webhooks import check_webhook_url
from number_orders.service.recent_keys import RecentKeys
from number_orders.storage import AccountStore, ApiKeyRecord


@dataclass(frozen=True, slots=True)
class IssuedKey:
    account: Account
    key_id: str
    token: str


class Accounts:
    store: AccountStore
    recent_keys: RecentKeys

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

    def ensure_account(self, name: str) -> Account:
        """The account with this name, created if there is none."""
        return self.store.ensure_account(name)

    def account_named(self, name: str) -> Account:
        return account_named(self.store, name)

    def count_accounts(self) -> int:
        return self.store.count_accounts()

    def set_webhook_url(self, account_name: str, url: str | None) -> Account:
        """Takes effect at the next delivery attempt: the loops read it at claim time."""
        if url is not None and (problem := check_webhook_url(url)):
            raise ValueError(problem)
        account = account_named(self.store, account_name)
        self.store.set_webhook_url(account.account_id, url)
        return Account(account.account_id, account.name, url)

    def create_api_key(self, account_name: str) -> IssuedKey:
        return issue_api_key(self.store, account_name)

    def list_api_keys(self, account_name: str) -> list[ApiKeyRecord]:
        """Oldest first, revoked ones included; LookupError for an unknown account."""
        return self.store.list_api_keys(account_named(self.store, account_name).account_id)

    def revoke_api_key(self, key_id: str) -> bool:
        """False when there is no such key or it is revoked already."""
        return self.store.revoke_api_key(key_id, now_micros())


def issue_api_key(store: AccountStore, account_name: str) -> IssuedKey:
    """A new key for the account, which is created if there is none."""
    account = store.ensure_account(account_name)
    key = new_api_key()
    store.add_api_key(
        ApiKeyRecord(key.key_id, account.account_id, key.secret_hash, now_micros(), None)
    )
    return IssuedKey(account, key.key_id, key.token)


def account_named(store: AccountStore, name: str) -> Account:
    account = store.find_account(name)
    if account is None:
        raise LookupError(f"no account named {name!r}")
    return account
