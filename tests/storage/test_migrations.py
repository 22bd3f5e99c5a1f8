"""The migrations build exactly the tables and indexes `schema.py` declares (partial
indexes and nullability included), on both engines."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from number_orders.storage.schema import metadata
from number_orders.storage.sql_store import SqlStore


def test_the_migrated_schema_is_the_declared_one(store: SqlStore) -> None:
    with store.engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), metadata) == []
