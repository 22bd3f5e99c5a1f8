"""Engines for SQLite and PostgreSQL from one URL, and schema upgrades under a lock."""

from __future__ import annotations

import contextlib
import fcntl
import os
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool

_MIGRATIONS = Path(__file__).parent / "migrations"
# Any constant shared by every process; it names the advisory lock that serialises upgrades.
_MIGRATION_LOCK_ID = 7_316_240_011


def normalise_url(url: str) -> URL:
    """Accept plain `postgresql://` URLs and use psycopg 3 for them."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed


def make_engine(url: str, pool_size: int = 8) -> Engine:
    parsed = normalise_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = _sqlite_engine(parsed)
    else:
        engine = create_engine(
            parsed,
            pool_size=pool_size,
            max_overflow=pool_size,
            pool_timeout=2,
            pool_recycle=3600,
            connect_args={"connect_timeout": 2, "application_name": "number-orders"},
        )
    event.listen(engine, "handle_error", _drop_read_only_connections)
    return engine


# PostgreSQL: read_only_sql_transaction (a standby, `default_transaction_read_only`).
_READ_ONLY_STATE = "25006"


def _drop_read_only_connections(context: Any) -> None:
    """A connection that found the store read-only is not used again: it was opened
    read-only (a SQLite file without write permission, a PostgreSQL session of a read-only
    database or a standby), and stays so after the store becomes writable again. Marking
    the error a disconnect makes SQLAlchemy replace that connection (not the whole pool);
    the store then reports the store unavailable (`SqlStore._translated`)."""
    if is_read_only_error(context.original_exception):
        context.is_disconnect = True
        context.invalidate_pool_on_disconnect = False


def is_read_only_error(error: BaseException) -> bool:
    if getattr(error, "sqlstate", None) == _READ_ONLY_STATE:
        return True
    return type(error).__module__ == "sqlite3" and "readonly database" in str(error)


def make_autocommit_engine(engine: Engine, pool_size: int | None = None) -> Engine:
    """A second pool on the same PostgreSQL database whose connections autocommit, for
    reads that manage their own snapshot (`storage.pages`); as large as `engine`'s unless
    told otherwise."""
    size = pool_size or list_pool_size(engine)
    return create_engine(
        engine.url,
        isolation_level="AUTOCOMMIT",
        pool_size=size,
        max_overflow=size,
        pool_timeout=2,
        pool_recycle=3600,
        pool_reset_on_return=None,
        connect_args={"connect_timeout": 2, "application_name": "number-orders"},
    )


def list_pool_size(engine: Engine) -> int:
    """The steady size of the list reads' pool on PostgreSQL: that of `engine`'s pool;
    it may open as many again in bursts."""
    size: int = getattr(engine.pool, "size", lambda: 8)()
    return size


def server_max_connections(url: str) -> int | None:
    """PostgreSQL's `max_connections`, or None when the server cannot say right now."""
    engine = create_engine(
        normalise_url(url), poolclass=NullPool, connect_args={"connect_timeout": 2}
    )
    try:
        with engine.connect() as conn:
            return int(conn.exec_driver_sql("SHOW max_connections").scalar_one())
    except DBAPIError:
        return None
    finally:
        engine.dispose()


def _sqlite_engine(url: URL) -> Engine:
    if url.database and url.database != ":memory:":
        _create_private_file(Path(url.database))
    engine = create_engine(url, pool_size=16, max_overflow=16, connect_args={"timeout": 30})

    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection: Any, _record: Any) -> None:
        # Take over transaction control so writers can BEGIN IMMEDIATE (see `begin` below).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        # WAL lets readers run beside the writer; FULL makes every commit durable before
        # it is acknowledged, even across a power loss.
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA cache_size=-65536")
        # Reads straight from the mapped file skip a copy per page: a page of 20 orders
        # reads 20 table pages.
        cursor.execute("PRAGMA mmap_size=1073741824")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Any) -> None:
        # A writer that starts deferred can fail to upgrade its lock; IMMEDIATE waits instead.
        writing = connection.get_execution_options().get("writing", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if writing else "BEGIN")

    return engine


def _create_private_file(path: Path) -> None:
    """Make the folders and file of a SQLite store that do not exist yet, readable by this
    user only: the store holds key hashes and the webhook signing key. SQLite creates its
    -wal and -shm files with the mode of the database file. What exists is left alone."""
    missing = [f for f in (path.parent, *path.parent.parents) if not f.exists()]
    for folder in reversed(missing):
        with contextlib.suppress(FileExistsError):  # made by another process meanwhile
            folder.mkdir(mode=0o700)
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def upgrade(engine: Engine) -> None:
    """Bring the schema to the newest revision; safe when many processes start at once."""
    if _current_revision(engine) == _head_revision():
        return
    if is_sqlite(engine):
        _upgrade_sqlite(engine)
    else:
        _upgrade_postgresql(engine)


def _alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    return config


def _head_revision() -> str | None:
    return ScriptDirectory.from_config(_alembic_config()).get_current_head()


def _current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def _run_upgrade(engine: Engine, connection: Any) -> None:
    config = _alembic_config()
    config.attributes["connection"] = connection
    command.upgrade(config, "head")


def _upgrade_postgresql(engine: Engine) -> None:
    with engine.connect() as connection:
        connection.execute(text("SELECT pg_advisory_lock(:id)"), {"id": _MIGRATION_LOCK_ID})
        try:
            connection.commit()
            _run_upgrade(engine, connection)
            connection.commit()
        finally:
            connection.execute(text("SELECT pg_advisory_unlock(:id)"), {"id": _MIGRATION_LOCK_ID})
            connection.commit()


def _upgrade_sqlite(engine: Engine) -> None:
    database = engine.url.database or ":memory:"
    lock_path = f"{database}.migrate-lock" if database != ":memory:" else os.devnull
    with open(os.open(lock_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        with engine.connect() as connection:
            _run_upgrade(engine, connection)
            connection.commit()
