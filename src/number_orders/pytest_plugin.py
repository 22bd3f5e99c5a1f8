"""pytest fixtures for suites that test an integration with the Telnyx number orders API
against number-orders (registered as a `pytest11` entry point: installing number-orders is
all a project does to have them).

- `number_orders_server` (session): a running server (`testing.SandboxServer`) with its
  control API: `.base_url`, `.new_account()`, `.advance()`, `.drain()`, `.reset()`,
  `.inject_fault()`, `.requests()`. A temporary SQLite file unless
  `--number-orders-database-url` or `$NUMBER_ORDERS_TEST_DATABASE_URL` names a database.
- `number_orders_account` (function): a fresh account and API key for each test.
- `telnyx_client` (function): the official Python client bound to that account.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:  # imported when a fixture is first used, so pytest starts as fast
    from number_orders.testing import Account, SandboxServer

DATABASE_OPTION = "--number-orders-database-url"
DATABASE_VARIABLE = "NUMBER_ORDERS_TEST_DATABASE_URL"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("number-orders", "number-orders test server")
    group.addoption(
        DATABASE_OPTION,
        metavar="URL",
        default=None,
        help=f"database of the number_orders_server fixture (default: ${DATABASE_VARIABLE}, "
        "else a temporary SQLite file)",
    )


@pytest.fixture(scope="session")
def number_orders_server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[SandboxServer]:
    from number_orders.testing import SandboxServer

    url = request.config.getoption(DATABASE_OPTION) or os.environ.get(DATABASE_VARIABLE)
    server = SandboxServer(url or None, directory=tmp_path_factory.mktemp("number-orders"))
    server.start()
    yield server
    server.stop()


@pytest.fixture
def number_orders_account(number_orders_server: SandboxServer) -> Account:
    """A new account with its own key: a test sees only its own orders."""
    return number_orders_server.new_account()


@pytest.fixture
def telnyx_client(request: pytest.FixtureRequest) -> Iterator[Any]:
    """`telnyx.Telnyx` for `number_orders_account`, with strict response validation."""
    try:
        import telnyx
    except ImportError:
        pytest.fail(
            "the telnyx_client fixture needs the official Telnyx client: pip install telnyx",
            pytrace=False,
        )
    # Asked for only now, so a missing client is said before a server starts for nothing.
    server: SandboxServer = request.getfixturevalue("number_orders_server")
    account: Account = request.getfixturevalue("number_orders_account")
    client = telnyx.Telnyx(
        api_key=account.api_key, base_url=server.base_url, _strict_response_validation=True
    )
    yield client
    client.close()
