"""Fixtures: every store and HTTP test runs on SQLite and on a real PostgreSQL."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from number_orders.config import Settings
from number_orders.server import open_store
from number_orders.service import NumberOrdersService
from number_orders.storage.sql_store import SqlStore
from number_orders.testing import PostgresServer
from tests.live import LiveServer

ENGINES = ["sqlite", "postgresql"]
_names = itertools.count()


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    server = PostgresServer()
    server.start()
    yield server
    server.cleanup()


def make_database_url(engine: str, postgres: PostgresServer, directory: Path) -> str:
    name = f"t{next(_names)}"
    if engine == "sqlite":
        return f"sqlite:///{directory / (name + '.sqlite3')}"
    return postgres.create_database(name)


@pytest.fixture(params=ENGINES)
def engine_name(request: pytest.FixtureRequest) -> str:
    name: str = request.param
    return name


@pytest.fixture
def database_url(engine_name: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    postgres = request.getfixturevalue("postgres") if engine_name == "postgresql" else None
    return make_database_url(engine_name, postgres, tmp_path)  # type: ignore[arg-type]


@pytest.fixture
def store(database_url: str) -> Iterator[SqlStore]:
    store = open_store(database_url)
    yield store
    store.close()


@pytest.fixture
def settings(database_url: str) -> Settings:
    return Settings(database_url=database_url, rate_limit=0, fulfilment_delay=0.0, demo=False)


@pytest.fixture
def live(settings: Settings, store: SqlStore) -> Iterator[LiveServer]:
    with LiveServer(settings, store) as server:
        yield server


def new_key(store: SqlStore, account: str) -> str:
    return NumberOrdersService(store).create_api_key(account).token


def client_for(server: LiveServer, token: str | None) -> httpx.Client:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.Client(base_url=server.base_url, headers=headers, timeout=30)
