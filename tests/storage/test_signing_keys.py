"""Retired webhook signing keys keep only their public half, on both engines: rotation
clears the private half, and the migration clears it for keys retired before."""

from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from number_orders.domain.signing import new_signing_key
from number_orders.service import NumberOrdersService
from number_orders.storage import signing_keys
from number_orders.storage.database import _alembic_config, make_engine, upgrade
from number_orders.storage.schema import SERVER_ACCOUNT_ID, webhook_signing_keys
from number_orders.storage.sql_store import SqlStore


def stored_private_halves(store: SqlStore) -> dict[str, str | None]:
    k = webhook_signing_keys.c
    with store.engine.connect() as conn:
        return dict(conn.execute(select(k.key_id, k.private_key)).all())


def test_rotation_keeps_only_the_public_half_of_the_retired_key(store: SqlStore) -> None:
    service = NumberOrdersService(store)
    first = service.ensure_signing_key()
    second = service.rotate_signing_key()
    third = service.rotate_signing_key()
    assert stored_private_halves(store) == {
        first.key_id: None,
        second.key_id: None,
        third.key_id: third.private_key,
    }
    listed = {k.key_id: k for k in store.list_signing_keys()}
    assert listed[first.key_id].public_key == first.public_key
    assert listed[first.key_id].private_key is None
    assert store.active_signing_key() == third


def test_the_migration_clears_keys_retired_before_it(database_url: str) -> None:
    engine = make_engine(database_url)
    config = _alembic_config()
    with engine.connect() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "0010g")
        conn.commit()
        retired, active = new_signing_key(1), new_signing_key(2)
        for key, retired_at in ((retired, 2), (active, None)):
            conn.execute(
                insert(webhook_signing_keys).values(
                    account_id=SERVER_ACCOUNT_ID,
                    key_id=key.key_id,
                    public_key=key.public_key,
                    private_key=key.private_key,
                    created_at=key.created_at,
                    retired_at=retired_at,
                )
            )
        conn.commit()
    upgrade(engine)
    store = SqlStore(engine)
    try:
        assert stored_private_halves(store) == {
            retired.key_id: None,
            active.key_id: active.private_key,
        }
        assert store.active_signing_key() == active
        # Still at most one active key (the partial unique index survived the rebuild).
        with pytest.raises(IntegrityError), store.writing() as conn:
            signing_keys.add_key(conn, new_signing_key(3))
    finally:
        store.close()
