"""A fresh, empty database per test (or per module) on each engine the server supports."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from number_orders.testing import PostgresServer

ENGINES = ["sqlite", "postgresql"]
_names = itertools.count()


def new_database(request: pytest.FixtureRequest, directory: Path) -> str:
    """The URL of a new database on the engine `request.param` names: a SQLite file in
    `directory`, or a database on the session's PostgreSQL (started on first use)."""
    name = f"t{next(_names)}"
    if request.param == "sqlite":
        return f"sqlite:///{directory / name}.sqlite3"
    postgres: PostgresServer = request.getfixturevalue("postgres")
    return postgres.create_database(name)
