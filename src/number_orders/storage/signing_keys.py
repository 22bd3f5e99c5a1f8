"""The server's webhook signing keys, filed under the constant `SERVER_ACCOUNT_ID`."""

from __future__ import annotations

from sqlalchemy import Connection, insert, select, update

from number_orders.domain.signing import SigningKey
from number_orders.storage.schema import SERVER_ACCOUNT_ID, webhook_signing_keys

k = webhook_signing_keys.c
_COLUMNS = (k.key_id, k.public_key, k.private_key, k.created_at, k.retired_at)


def active_key(conn: Connection) -> SigningKey | None:
    statement = select(*_COLUMNS).where(k.account_id == SERVER_ACCOUNT_ID, k.retired_at.is_(None))
    row = conn.execute(statement).first()
    return SigningKey(*row) if row else None


def list_keys(conn: Connection) -> list[SigningKey]:
    """Newest first: the active key, then the retired ones."""
    statement = (
        select(*_COLUMNS)
        .where(k.account_id == SERVER_ACCOUNT_ID)
        .order_by(k.created_at.desc(), k.key_id)
    )
    return [SigningKey(*row) for row in conn.execute(statement)]


def add_key(conn: Connection, key: SigningKey) -> None:
    """Insert an active key; a second active key violates `ux_webhook_signing_keys_active`."""
    conn.execute(
        insert(webhook_signing_keys).values(
            account_id=SERVER_ACCOUNT_ID,
            key_id=key.key_id,
            public_key=key.public_key,
            private_key=key.private_key,
            created_at=key.created_at,
            retired_at=None,
        )
    )


def retire_active(conn: Connection, at: int) -> None:
    """Retire the active key, keeping only its public half: a retired key never signs
    again, it only lets receivers verify what it signed before."""
    conn.execute(
        update(webhook_signing_keys)
        .where(k.account_id == SERVER_ACCOUNT_ID, k.retired_at.is_(None))
        .values(retired_at=at, private_key=None)
    )
