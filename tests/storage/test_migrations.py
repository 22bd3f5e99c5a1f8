"""The Alembic migrations, on SQLite and PostgreSQL: one chain with one head, files named
in chain order, and a migrated database that is exactly `storage.schema.metadata`."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

import number_orders.storage
from number_orders.storage.schema import metadata
from number_orders.storage.sql_store import SqlStore

MIGRATIONS = Path(number_orders.storage.__file__).parent / "migrations"


def scripts() -> ScriptDirectory:
    return ScriptDirectory(str(MIGRATIONS))


def test_one_head_and_the_database_is_at_it(store: SqlStore) -> None:
    heads = scripts().get_heads()
    assert len(heads) == 1, heads
    with store.engine.connect() as conn:
        assert MigrationContext.configure(conn).get_current_heads() == tuple(heads)


def test_file_names_follow_the_chain() -> None:
    chain = list(reversed(list(scripts().walk_revisions())))  # base first
    files = [Path(str(revision.path)).name for revision in chain]
    assert files == sorted(files)
    assert [name[:4] for name in files] == [f"{n:04d}" for n in range(1, len(files) + 1)]


def test_the_migrated_schema_is_the_declared_one(store: SqlStore) -> None:
    with store.engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), metadata)
    assert differences == []
