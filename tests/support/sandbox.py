"""A sandboxed server in the test process (`LiveServer` with an admin token) and its
control API, through the same client the pytest plugin uses."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx

from number_orders.config import Settings
from number_orders.storage.sql_store import SqlStore
from number_orders.testing import Account, SandboxClient
from tests.support.live import LiveServer

ADMIN_TOKEN = "test-admin-token-0123456789"


class LiveSandbox(SandboxClient):
    def __init__(self, server: LiveServer) -> None:
        super().__init__(server.root_url, ADMIN_TOKEN)
        self.server = server

    @property
    def base_url(self) -> str:
        return self.server.base_url

    def raw(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """A control request as sent, for its status and headers."""
        assert self.control is not None
        return self.control.request(method, path, **kwargs)

    def v2(self, account: Account) -> httpx.Client:
        """An HTTP client of `/v2` with the account's key."""
        headers = {"Authorization": f"Bearer {account.api_key}"}
        return httpx.Client(base_url=self.base_url, headers=headers, timeout=30)


def sandboxed(settings: Settings, **changes: Any) -> Settings:
    return settings.with_changes(admin_token=ADMIN_TOKEN, **changes)


@contextmanager
def live_sandbox(settings: Settings, store: SqlStore) -> Iterator[LiveSandbox]:
    """`settings` with the sandbox on, served from the test process."""
    with LiveServer(sandboxed(settings), store) as server:
        sandbox = LiveSandbox(server)
        try:
            yield sandbox
        finally:
            sandbox.close()
