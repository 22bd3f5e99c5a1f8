"""Accounts and their API keys in the SQL store."""

from __future__ import annotations

from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from number_orders.domain.accounts import Account
from number_orders.domain.ids import random_id
from number_orders.domain.timestamps import now_micros
from number_orders.storage.interface import ApiKeyRecord
from number_orders.storage.part import StorePart
from number_orders.storage.schema import accounts, api_keys

API_KEY_COLUMNS = (
    api_keys.c.key_id,
    api_keys.c.account_id,
    api_keys.c.secret_hash,
    api_keys.c.created_at,
    api_keys.c.revoked_at,
)
FIND_API_KEY = select(*API_KEY_COLUMNS).where(api_keys.c.key_id == bindparam("key_id"))


class SqlAccounts(StorePart):
    revocations: int

    def ensure_account(self, name: str) -> Account:
        found = self.find_account(name)
        if found is not None:
            return found
        account = Account(random_id(), name)
        try:
            with self.writing() as conn:
                conn.execute(
                    insert(accounts).values(
                        account_id=account.account_id, name=name, created_at=now_micros()
                    )
                )
        except IntegrityError:
            # Another process created it first; use theirs.
            found = self.find_account(name)
            assert found is not None
            return found
        return account

    def find_account(self, name: str) -> Account | None:
        with self.reading() as conn:
            row = conn.execute(
                select(accounts.c.account_id, accounts.c.name, accounts.c.webhook_url).where(
                    accounts.c.name == name
                )
            ).first()
        return Account(*row) if row else None

    def count_accounts(self) -> int:
        with self.reading() as conn:
            return int(conn.execute(select(func.count()).select_from(accounts)).scalar_one())

    def set_webhook_url(self, account_id: str, url: str | None) -> bool:
        statement = (
            update(accounts).where(accounts.c.account_id == account_id).values(webhook_url=url)
        )
        with self.writing() as conn:
            return conn.execute(statement).rowcount == 1

    def add_api_key(self, record: ApiKeyRecord) -> None:
        with self.writing() as conn:
            conn.execute(
                insert(api_keys).values(
                    key_id=record.key_id,
                    account_id=record.account_id,
                    secret_hash=record.secret_hash,
                    created_at=record.created_at,
                    revoked_at=record.revoked_at,
                )
            )

    def find_api_key(self, key_id: str) -> ApiKeyRecord | None:
        with self.reading() as conn:
            row = conn.execute(FIND_API_KEY, {"key_id": key_id}).first()
        return ApiKeyRecord(*row) if row else None

    def list_api_keys(self, account_id: str) -> list[ApiKeyRecord]:
        statement = (
            select(*API_KEY_COLUMNS)
            .where(api_keys.c.account_id == account_id)
            .order_by(api_keys.c.created_at)
        )
        with self.reading() as conn:
            return [ApiKeyRecord(*row) for row in conn.execute(statement)]

    def revoke_api_key(self, key_id: str, at: int) -> bool:
        statement = (
            update(api_keys)
            .where(api_keys.c.key_id == key_id, api_keys.c.revoked_at.is_(None))
            .values(revoked_at=at)
        )
        with self.writing() as conn:
            revoked: bool = conn.execute(statement).rowcount == 1
        self.revocations += 1
        return revoked
