"""Fixtures: every store and HTTP test runs on SQLite and on a real PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from number_orders.config import Settings
from number_orders.server import open_store
from number_orders.storage.sql_store import SqlStore
from number_orders.testing import PostgresServer
from tests.support.app import InProcess
from tests.support.databases import ENGINES, new_database
from tests.support.live import LiveServer
from tests.support.sandbox import LiveSandbox, live_sandbox

# `pytester` runs a project's suite against the installed pytest plugin.
pytest_plugins = ["pytester"]


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    with PostgresServer() as server:
        yield server


@pytest.fixture(params=ENGINES)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A new database for this test, on each engine in turn."""
    return new_database(request, tmp_path)


@pytest.fixture(scope="module", params=ENGINES)
def module_database_url(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> str:
    """A new database shared by the tests of one module, on each engine in turn."""
    return new_database(request, tmp_path_factory.mktemp("module"))


@pytest.fixture
def store(database_url: str) -> Iterator[SqlStore]:
    store = open_store(database_url)
    yield store
    store.close()


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(database_url=database_url, rate_limit=0, fulfilment_delay=0.0, demo=False)


@pytest.fixture
def app(settings: Settings, store: SqlStore) -> Iterator[InProcess]:
    """The application on this test's store, with its background worker."""
    with InProcess(settings, store) as app:
        yield app


@pytest.fixture
def live(settings: Settings, store: SqlStore) -> Iterator[LiveServer]:
    """The application on this test's store behind a real loopback socket."""
    with LiveServer(settings, store) as server:
        yield server


@pytest.fixture
def sandbox(settings: Settings, store: SqlStore) -> Iterator[LiveSandbox]:
    """A live server with the sandbox on, and its control API."""
    with live_sandbox(settings, store) as sandbox:
        yield sandbox


@pytest.fixture
def engine_name(database_url: str) -> str:
    """`sqlite` or `postgresql`: the engine of this test's database."""
    return "sqlite" if database_url.startswith("sqlite") else "postgresql"
